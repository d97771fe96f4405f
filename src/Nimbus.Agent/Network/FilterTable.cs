using Nimbus.Compute.Node;
using Nimbus.Contracts.Network;

namespace Nimbus.Agent.Network;

/// <summary>
/// The security-group table as the kernel will hold it — member sets, the two verdict maps, the combination chains
/// and their rule lines — computed once from a <see cref="FilterRuleset"/>, so that the full text and a delta against
/// the table applied before come from the same data.
/// <para>
/// A combination chain is named after its groups (<c>in_</c>/<c>eg_</c> and the sorted ids), not after its position:
/// a name that stays the same while the groups do is what lets a rule change replace one chain and leave the others,
/// and the map elements that jump to them, as they are.
/// </para>
/// </summary>
internal sealed record FilterTable
{
    public required string Table { get; init; }

    /// <summary>Member sets of the groups that rules name: set name → sorted addresses.</summary>
    public required SortedDictionary<string, SortedSet<string>> Sets { get; init; }

    /// <summary>Destination address → ingress chain.</summary>
    public required SortedDictionary<string, string> Ingress { get; init; }

    /// <summary>Source address → egress chain.</summary>
    public required SortedDictionary<string, string> Egress { get; init; }

    /// <summary>Combination chain → its rule lines in order, the fallback last.</summary>
    public required SortedDictionary<string, List<string>> Chains { get; init; }

    /// <summary>Ingress chain of each combination → the rules its two chains were made of (to reuse their lines next time).</summary>
    private Dictionary<string, List<SecurityGroupRule>> Sources { get; init; } = [];

    /// <summary>The groups the filter knew (a rule naming another group is left out).</summary>
    private HashSet<string> Known { get; init; } = [];

    /// <summary>
    /// The table of <paramref name="filter"/>. With <paramref name="previous"/> (the table applied last), a combination
    /// whose rules are equal to last time's keeps its lines instead of rendering them again: at 500 interfaces and
    /// 2,000 rules, rendering every combination's chains was most of the node's own work for one rule change.
    /// </summary>
    public static FilterTable Of(FilterRuleset filter, FilterTable? previous = null)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var groups = new Dictionary<string, FilterGroup>(StringComparer.Ordinal);
        foreach (var group in filter.Groups)
        {
            groups[group.Id] = group;
        }

        var known = groups.Keys.ToHashSet(StringComparer.Ordinal);
        var reuse = previous is not null && previous.Known.SetEquals(known);
        var sources = new Dictionary<string, List<SecurityGroupRule>>(StringComparer.Ordinal);
        var sets = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var rule in filter.Groups.SelectMany(g => g.Rules))
        {
            if (rule.GroupId is { } peer && groups.TryGetValue(peer, out var named))
            {
                var name = FilterRulesetText.SetName(peer);
                if (!sets.ContainsKey(name))
                {
                    sets[name] = new SortedSet<string>(named.Members, StringComparer.Ordinal);
                }
            }
        }

        var ingress = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var egress = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var chains = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var entry in filter.Interfaces)
        {
            var ids = entry.GroupIds.Where(groups.ContainsKey).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            var suffix = ids.Count == 0 ? "none" : string.Join("__", ids.Select(id => id.Replace('-', '_')));
            var (inChain, egChain) = ("in_" + suffix, "eg_" + suffix);
            if (!chains.ContainsKey(inChain))
            {
                var rules = ids.SelectMany(id => groups[id].Rules).ToList();
                sources[inChain] = rules;
                if (reuse && previous!.Sources.TryGetValue(inChain, out var last) && last.SequenceEqual(rules)
                    && previous.Chains.TryGetValue(inChain, out var inLines) && previous.Chains.TryGetValue(egChain, out var egLines))
                {
                    chains[inChain] = inLines;
                    chains[egChain] = egLines;
                }
                else
                {
                    chains[inChain] = FilterRulesetText.ChainLines(SecurityGroupDirections.Ingress, rules, known);
                    chains[egChain] = FilterRulesetText.ChainLines(SecurityGroupDirections.Egress, rules, known);
                }
            }

            ingress[entry.PrivateIpAddress] = inChain;
            egress[entry.PrivateIpAddress] = egChain;
        }

        return new FilterTable { Table = filter.Table, Sets = sets, Ingress = ingress, Egress = egress, Chains = chains, Sources = sources, Known = known };
    }
}
