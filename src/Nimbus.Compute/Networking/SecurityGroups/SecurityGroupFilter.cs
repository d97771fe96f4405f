using System.Text.Json;
using Nimbus.Compute.Node;
using Nimbus.Core.Api;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;

namespace Nimbus.Compute.Networking.SecurityGroups;

/// <summary>Reads the desired packet filter from the store: the groups of every interface that holds an address, their rules and members.</summary>
public sealed class SecurityGroupFilter(IResourceStore store)
{
    /// <summary>
    /// The filter for <paramref name="interfaces"/> (account, instance, private address). An instance the membership
    /// record does not know (run before security groups existed) is in its account's default group when there is one.
    /// </summary>
    public async Task<FilterRuleset> BuildAsync(string table, IReadOnlyList<(string Account, string InstanceId, string Address)> interfaces, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(interfaces);
        var groups = new Dictionary<string, Resource?>(StringComparer.Ordinal);
        var result = new List<FilterInterface>(interfaces.Count);
        foreach (var byAccount in interfaces.GroupBy(i => i.Account, StringComparer.Ordinal))
        {
            var value = await store.GetValueAsync(SecurityGroupService.MembersNamespace, byAccount.Key, cancellationToken).ConfigureAwait(false);
            var members = value is null ? new SecurityGroupMembers() : JsonSerializer.Deserialize<SecurityGroupMembers>(value, NimbusJson.Options)!;
            string? fallback = null;
            foreach (var (_, instanceId, address) in byAccount)
            {
                if (!members.Instances.TryGetValue(instanceId, out var ids))
                {
                    fallback ??= (await store.GetByNameAsync(byAccount.Key, SecurityGroupService.Kind, SecurityGroupService.DefaultName, cancellationToken).ConfigureAwait(false))?.Id ?? "";
                    ids = fallback.Length == 0 ? [] : [fallback];
                }

                var live = new List<string>(ids.Count);
                foreach (var id in ids)
                {
                    if (await GroupAsync(groups, id, cancellationToken).ConfigureAwait(false) is not null)
                    {
                        live.Add(id);
                    }
                }

                if (live.Count > 0)
                {
                    result.Add(new FilterInterface(address, live));
                }
            }
        }

        // Groups named by rules of the interfaces' groups need their members too.
        foreach (var group in groups.Values.Where(g => g is not null).ToList())
        {
            foreach (var rule in SecurityGroupService.SpecOf(group!).Rules)
            {
                if (rule.GroupId is { } peer)
                {
                    await GroupAsync(groups, peer, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        var addressesOf = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var entry in result)
        {
            foreach (var id in entry.GroupIds)
            {
                (addressesOf.TryGetValue(id, out var list) ? list : addressesOf[id] = []).Add(entry.PrivateIpAddress);
            }
        }

        return new FilterRuleset
        {
            Table = table,
            Interfaces = [.. result.OrderBy(i => i.PrivateIpAddress, StringComparer.Ordinal)],
            Groups =
            [
                .. groups.Where(g => g.Value is not null).OrderBy(g => g.Key, StringComparer.Ordinal)
                    .Select(g => new FilterGroup(g.Key, addressesOf.GetValueOrDefault(g.Key) ?? [], SecurityGroupService.SpecOf(g.Value!).Rules)),
            ],
        };
    }

    private async Task<Resource?> GroupAsync(Dictionary<string, Resource?> groups, string id, CancellationToken cancellationToken)
    {
        if (!groups.TryGetValue(id, out var group))
        {
            group = await store.GetAsync(id, cancellationToken).ConfigureAwait(false);
            groups[id] = group is { Kind: SecurityGroupService.Kind } ? group : null;
        }

        return groups[id];
    }
}
