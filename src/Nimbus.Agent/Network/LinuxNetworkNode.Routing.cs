using System.Globalization;
using System.Text;
using System.Text.Json;
using Nimbus.Agent.Linux;
using Nimbus.Compute.Node;

namespace Nimbus.Agent.Network;

/// <summary>
/// Routes to appliances: policy routing on the host. Each subnet whose route table targets an appliance has one rule,
/// <c>from &lt;subnet&gt; iif &lt;VPC bridge&gt; lookup &lt;table&gt;</c>, and each such route table one kernel table that
/// mirrors it: appliance routes go <c>via</c> the appliance's address on the bridge, every other route (local, NAT
/// gateway, peering) <c>throw</c>s back to the main table, where the nftables sets decide as before. So the kernel's
/// own longest-prefix match decides between the routes of a table. A rule per subnet (not an nftables mark per packet)
/// because a subnet is a source range on one bridge: the selector is exact whatever the number of subnets (VPC ranges
/// never overlap on an installation), only subnets with appliance routes pay for a rule, and <c>ip rule</c> and
/// <c>ip route get from ... iif ...</c> show an operator exactly what the kernel does.
/// </summary>
public sealed partial class LinuxNetworkNode
{
    private const uint TableBase = 0x4E000000;
    private const uint TableMask = 0x00FFFFFF;

    // What this process last applied per installation (by nft table name): the routing is touched only when it changes.
    private readonly Dictionary<string, string> _appliedRouting = new(StringComparer.Ordinal);

    /// <summary>
    /// The rule priority of an installation's subnet rules (before <c>main</c> at 32766): distinct per installation,
    /// so that a start finds and removes its own leftovers without touching another installation's on the same host.
    /// </summary>
    internal static int RulePriority(string installation) => 1000 + (int)(Fnv(installation) % 30000);

    /// <summary>Kernel table numbers (in 0x4E000000-0x4EFFFFFF) of the route tables, stable across restarts.</summary>
    internal static Dictionary<string, uint> TableNumbers(string installation, IEnumerable<string> routeTableIds)
    {
        var numbers = new Dictionary<string, uint>(StringComparer.Ordinal);
        var taken = new HashSet<uint>();
        foreach (var id in routeTableIds.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var number = Fnv(installation + "/" + id) & TableMask;
            while (!taken.Add(TableBase | number))
            {
                number = (number + 1) & TableMask;
            }

            numbers[id] = TableBase | number;
        }

        return numbers;
    }

    /// <summary>The ip commands that bring the host from its installation's present rules to <paramref name="routes"/>.</summary>
    internal static List<string> RoutingCommands(string installation, IReadOnlyList<SubnetRouting> routes, IReadOnlyList<(string From, string Iif, uint Table)> present)
    {
        var priority = RulePriority(installation).ToString(CultureInfo.InvariantCulture);
        var numbers = TableNumbers(installation, routes.Select(r => r.RouteTableId));
        var desired = routes.Select(r => (From: r.SubnetCidr, Iif: r.Bridge, Table: numbers[r.RouteTableId])).ToHashSet();
        var commands = new List<string>();

        // Tables first (a rule never points at a half-filled table for long), then rules.
        foreach (var table in routes.GroupBy(r => r.RouteTableId, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var number = numbers[table.Key].ToString(CultureInfo.InvariantCulture);
            commands.Add($"route flush table {number}");
            var bridge = table.First().Bridge;
            foreach (var route in table.First().Routes)
            {
                commands.Add(route.Kind switch
                {
                    KernelRoute.Via => $"route replace {route.Destination} via {route.NextHop} dev {bridge} table {number}",
                    KernelRoute.Blackhole => $"route replace blackhole {route.Destination} table {number}",
                    _ => $"route replace throw {route.Destination} table {number}",
                });
            }
        }

        foreach (var stale in present.Where(p => !desired.Contains(p)))
        {
            commands.Add($"rule del pref {priority} from {stale.From} iif {stale.Iif} lookup {stale.Table.ToString(CultureInfo.InvariantCulture)}");
        }

        foreach (var table in present.Select(p => p.Table).Except(numbers.Values))
        {
            commands.Add($"route flush table {table.ToString(CultureInfo.InvariantCulture)}");
        }

        foreach (var rule in desired.Where(d => !present.Contains(d)).OrderBy(d => d.From, StringComparer.Ordinal))
        {
            commands.Add($"rule add pref {priority} from {rule.From} iif {rule.Iif} lookup {rule.Table.ToString(CultureInfo.InvariantCulture)}");
        }

        return commands;
    }

    /// <summary>Applies <paramref name="routes"/> when they differ from what this process last applied (always on its first apply: it reconciles leftovers).</summary>
    private async Task SyncRoutingAsync(string installation, IReadOnlyList<SubnetRouting> routes, CancellationToken cancellationToken)
    {
        var fingerprint = JsonSerializer.Serialize(routes.Select(r => new[] { r.Bridge, r.SubnetCidr, r.RouteTableId, string.Join(';', r.Routes.Select(k => $"{k.Destination} {k.Kind} {k.NextHop}")) }).ToList());
        await _rules.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_appliedRouting.TryGetValue(installation, out var applied) && applied == fingerprint)
            {
                return;
            }

            _appliedRouting.Remove(installation);
            var ip = Ip();
            var listed = await ProcessRunner.RunAsync(ip, ["-j", "-4", "rule", "show"], cancellationToken).ConfigureAwait(false);
            if (listed.ExitCode != 0)
            {
                throw new NodeException($"ip rule show failed ({listed.ExitCode}): {listed.Stderr.Trim()}");
            }

            var commands = RoutingCommands(installation, routes, PresentRules(listed.Stdout, RulePriority(installation)));
            if (commands.Count > 0)
            {
                await BatchAsync(ip, null, commands, cancellationToken).ConfigureAwait(false);
            }

            _appliedRouting[installation] = fingerprint;
        }
        finally
        {
            _rules.Release();
        }
    }

    /// <summary>The installation's subnet rules in <c>ip -j rule show</c>: its priority, a table of Nimbus's range, a source and an input device.</summary>
    internal static List<(string From, string Iif, uint Table)> PresentRules(string json, int priority)
    {
        var result = new List<(string, string, uint)>();
        using var document = JsonDocument.Parse(json.Length == 0 ? "[]" : json);
        foreach (var rule in document.RootElement.EnumerateArray())
        {
            if (rule.TryGetProperty("priority", out var pref) && pref.GetInt32() == priority
                && rule.TryGetProperty("table", out var table) && uint.TryParse(table.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                && (number & ~TableMask) == TableBase
                && rule.TryGetProperty("src", out var src) && rule.TryGetProperty("srclen", out var length) && rule.TryGetProperty("iif", out var iif))
            {
                result.Add((src.GetString() + "/" + length.GetInt32().ToString(CultureInfo.InvariantCulture), iif.GetString()!, number));
            }
        }

        return result;
    }

    private static uint Fnv(string text)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = (hash ^ b) * 16777619u;
        }

        return hash;
    }
}
