using System.Text.Json.Nodes;
using Nimbus.Agent.Network;
using Nimbus.Compute.Node;
using Nimbus.Contracts.Network;
using Shouldly;
using Xunit;

namespace Nimbus.Compute.Tests;

/// <summary>
/// The node's security-group delta against the kernel: after each change the table holds exactly what a full rebuild
/// of the same state holds, without being replaced; a table changed by hand makes the node fall back to a full rebuild.
/// </summary>
public sealed class FilterDeltaTests : IAsyncLifetime
{
    private readonly string _table = "nimbus_dt" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _reference = "nimbus_dr" + Guid.NewGuid().ToString("N")[..8];
    private readonly ListLogger<LinuxNetworkNode> _log = new();
    private readonly LinuxNetworkNode _node;

    public FilterDeltaTests() => _node = new LinuxNetworkNode(_log);

    public Task InitializeAsync()
    {
        Prerequisites.RequireNetworkHost();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var table in new[] { _table, _reference })
        {
            await Host.RunAsync("nft", ["delete", "table", "inet", table]);
            await Host.RunAsync("nft", ["delete", "table", "bridge", table]);
            await Host.RunAsync("nft", ["delete", "table", "inet", table + "_filter"]);
        }
    }

    [Fact]
    public async Task Each_change_leaves_the_table_as_a_full_rebuild_would_and_only_a_refused_delta_replaces_it()
    {
        var web = Group("sg-web", ["10.9.0.2", "10.9.0.3"], Rule("r1", "ingress", "tcp", 80, cidr: "0.0.0.0/0"), Rule("r2", "ingress", "all", group: "sg-web", priority: 32767));
        var app = Group("sg-app", ["10.9.0.4"], Rule("r3", "ingress", "tcp", 8080, group: "sg-web"), Rule("r4", "egress", "udp", 53, cidr: "10.0.0.0/8", action: "drop"));
        var nics = new[] { Nic("10.9.0.2", "sg-web"), Nic("10.9.0.3", "sg-web"), Nic("10.9.0.4", "sg-app") };

        await ApplyAndCompareAsync(nics, [web, app]);
        var handle = await TableHandleAsync();

        // A rule added to one group: only that group's combination changes.
        web = web with { Rules = [.. web.Rules, Rule("r5", "ingress", "icmp", priority: 10)] };
        await ApplyAndCompareAsync(nics, [web, app]);

        // An interface joins a second group (a new combination chain, map elements moved), app's rule names a
        // new group (a new set), web's members change.
        var db = Group("sg-db", ["10.9.0.5"], Rule("r6", "ingress", "tcp", 5432, group: "sg-app"));
        app = app with { Members = ["10.9.0.4", "10.9.0.3"], Rules = [.. app.Rules, Rule("r7", "egress", "tcp", 5432, group: "sg-db")] };
        web = web with { Members = ["10.9.0.2", "10.9.0.3"] };
        nics = [Nic("10.9.0.2", "sg-web"), Nic("10.9.0.3", "sg-web", "sg-app"), Nic("10.9.0.4", "sg-app"), Nic("10.9.0.5", "sg-db")];
        await ApplyAndCompareAsync(nics, [web, app, db]);

        // Revokes: the rule naming db goes (its set goes), an interface leaves (its chain goes when no one uses it).
        app = app with { Members = ["10.9.0.4"], Rules = [.. app.Rules.Where(r => r.Id != "r7")] };
        nics = [Nic("10.9.0.2", "sg-web"), Nic("10.9.0.4", "sg-app"), Nic("10.9.0.5", "sg-db")];
        web = web with { Members = ["10.9.0.2"] };
        await ApplyAndCompareAsync(nics, [web, app, db]);
        _log.Lines.ShouldBeEmpty();
        (await TableHandleAsync()).ShouldBe(handle, "each change so far was applied in place, not by replacing the table");

        // A chain deleted by hand: the delta is refused (its chain is not there) and the whole ruleset is applied.
        (await Host.RunAsync("nft", ["flush", "chain", "inet", _table + "_filter", "in_sg_web"])).ExitCode.ShouldBe(0);
        (await Host.RunAsync("nft", ["delete", "element", "inet", _table + "_filter", "ingress", "{ 10.9.0.2 }"])).ExitCode.ShouldBe(0);
        (await Host.RunAsync("nft", ["delete", "chain", "inet", _table + "_filter", "in_sg_web"])).ExitCode.ShouldBe(0);
        web = web with { Rules = [.. web.Rules.Where(r => r.Id != "r5")] };
        await ApplyAndCompareAsync(nics, [web, app, db]);
        (await TableHandleAsync()).ShouldNotBe(handle, "the refused delta was followed by a full rebuild");
        _log.Lines.ShouldHaveSingleItem().ShouldContain("refused the security-group delta of " + _table);
    }

    private async Task ApplyAndCompareAsync(IReadOnlyList<FilterInterface> nics, IReadOnlyList<FilterGroup> groups)
    {
        await _node.ApplyRulesAsync(Ruleset(_table, nics, groups), CancellationToken.None);
        await _node.ApplyRulesAsync(Ruleset(_reference, nics, groups), CancellationToken.None);
        var (applied, reference) = (await NftListing.CanonicalAsync(_table + "_filter"), await NftListing.CanonicalAsync(_reference + "_filter"));
        applied.ShouldBe(reference);
    }

    private static NetworkRuleset Ruleset(string table, IReadOnlyList<FilterInterface> nics, IReadOnlyList<FilterGroup> groups) => new()
    {
        Table = table,
        MetadataAddress = "10.9.0.1",
        Networks = [new RulesetNetwork { Id = "default", Bridge = "ndelta0", Cidr = "10.9.0.0/24", Masquerade = true }],
        // The network's own interfaces stay: a change of them replaces every table (not what is tested here).
        Interfaces = [.. Enumerable.Range(2, 4).Select(i => new RulesetInterface("i-delta" + i, "10.9.0." + i))],
        Filter = new FilterRuleset { Table = table + "_filter", Interfaces = nics, Groups = groups },
    };

    private Task<string> TableHandleAsync() => NftListing.TableHandleAsync(_table + "_filter");

    private static FilterInterface Nic(string address, params string[] groups) => new(address, groups);

    private static FilterGroup Group(string id, string[] members, params SecurityGroupRule[] rules) => new(id, members, rules);

    private static SecurityGroupRule Rule(string id, string direction, string protocol, int? port = null, string? cidr = null, string? group = null, int priority = 1000, string action = "accept") =>
        new() { Id = id, Direction = direction, Protocol = protocol, FromPort = port, ToPort = port, Cidr = cidr, GroupId = group, Priority = priority, Action = action };
}
