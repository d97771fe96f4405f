using System.Text;

namespace Nimbus.Agent.Network;

/// <summary>
/// The nftables commands that turn the security-group table the kernel holds (<c>before</c>, as this process last
/// applied it) into <c>after</c>, touching only what differs: member-set and map elements added or deleted, a
/// combination chain flushed and filled again when its rules changed, chains and sets added or deleted. Applied with
/// one <c>nft -f</c>, so it is still one transaction: the kernel takes all of it or none.
/// <para>
/// Why: replacing the whole table makes the kernel and <c>nft</c> parse, validate and commit every rule of every
/// group on each change, so the cost of one rule change grew with the whole ruleset (98–122 ms at 500 interfaces and
/// 2,000 rules, docs/benchmarks.md). A delta costs what changed.
/// </para>
/// The order matters inside the transaction: sets and chains are added before a rule or a map element refers to them,
/// and deleted only after the map elements that jump to them and the rules that name them are gone.
/// </summary>
internal static class FilterRulesetDelta
{
    /// <summary>The commands, or an empty string when nothing differs.</summary>
    public static string Render(FilterTable before, FilterTable after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        if (before.Table != after.Table)
        {
            throw new ArgumentException($"a delta is between two states of one table, not {before.Table} and {after.Table}", nameof(after));
        }

        var table = "inet " + after.Table;
        var text = new StringBuilder();

        // 1. Sets: new ones with their members, changed members of the others.
        foreach (var (name, members) in after.Sets)
        {
            if (!before.Sets.TryGetValue(name, out var old))
            {
                text.Append("add set ").Append(table).Append(' ').Append(name).Append(" { type ipv4_addr; }\n");
                Elements(text, "add", table, name, members);
            }
            else
            {
                Elements(text, "delete", table, name, old.Where(a => !members.Contains(a)));
                Elements(text, "add", table, name, members.Where(a => !old.Contains(a)));
            }
        }

        // 2. Chains: new ones filled, changed ones flushed and filled again; unchanged ones are not touched.
        foreach (var (name, lines) in after.Chains)
        {
            if (!before.Chains.TryGetValue(name, out var old))
            {
                text.Append("add chain ").Append(table).Append(' ').Append(name).Append('\n');
            }
            else if (old.SequenceEqual(lines, StringComparer.Ordinal))
            {
                continue;
            }
            else
            {
                text.Append("flush chain ").Append(table).Append(' ').Append(name).Append('\n');
            }

            foreach (var line in lines)
            {
                text.Append("add rule ").Append(table).Append(' ').Append(name).Append(' ').Append(line).Append('\n');
            }
        }

        // 3. Map elements: an address that left or moved to another chain is deleted first, then (re)added.
        Map(text, table, "ingress", before.Ingress, after.Ingress);
        Map(text, table, "egress", before.Egress, after.Egress);

        // 4. What nothing refers to any more.
        foreach (var name in before.Chains.Keys.Where(c => !after.Chains.ContainsKey(c)))
        {
            text.Append("delete chain ").Append(table).Append(' ').Append(name).Append('\n');
        }

        foreach (var name in before.Sets.Keys.Where(s => !after.Sets.ContainsKey(s)))
        {
            text.Append("delete set ").Append(table).Append(' ').Append(name).Append('\n');
        }

        return text.ToString();
    }

    private static void Map(StringBuilder text, string table, string map, SortedDictionary<string, string> before, SortedDictionary<string, string> after)
    {
        Elements(text, "delete", table, map, before.Where(e => !after.TryGetValue(e.Key, out var chain) || chain != e.Value).Select(e => e.Key));
        Elements(text, "add", table, map, after.Where(e => !before.TryGetValue(e.Key, out var chain) || chain != e.Value).Select(e => e.Key + " : jump " + e.Value));
    }

    private static void Elements(StringBuilder text, string verb, string table, string name, IEnumerable<string> elements)
    {
        var first = true;
        foreach (var element in elements)
        {
            if (first)
            {
                text.Append(verb).Append(" element ").Append(table).Append(' ').Append(name).Append(" { ");
                first = false;
            }
            else
            {
                text.Append(", ");
            }

            text.Append(element);
        }

        if (!first)
        {
            text.Append(" }\n");
        }
    }
}
