using System.Globalization;
using Nimbus.Agent.Network;
using Nimbus.Compute.Node;
using Nimbus.Contracts.Network;

// Renders the ruleset Nimbus would apply for a synthetic node — INTERFACES interfaces, GROUPS groups of
// RULES_PER_GROUP rules each (the members rule included), each interface in GROUPS_PER_INTERFACE groups — with the
// node's own renderer, before and after one rule change, for bench/network.sh to time `nft -f` on: the whole ruleset
// (before.nft, after.nft: what the node applies at start-up) and the delta the node applies for the change
// (delta.nft, and undo.nft back). Prints how long the node's own work takes: building the table and the delta text.
// usage: Nimbus.Bench.Network OUT_DIR INTERFACES GROUPS RULES_PER_GROUP GROUPS_PER_INTERFACE
if (args.Length != 5)
{
    Console.Error.WriteLine("usage: Nimbus.Bench.Network OUT_DIR INTERFACES GROUPS RULES_PER_GROUP GROUPS_PER_INTERFACE");
    return 2;
}

var output = args[0];
var interfaces = int.Parse(args[1], CultureInfo.InvariantCulture);
var groupCount = int.Parse(args[2], CultureInfo.InvariantCulture);
var rulesPerGroup = int.Parse(args[3], CultureInfo.InvariantCulture);
var perInterface = int.Parse(args[4], CultureInfo.InvariantCulture);

static string Address(int i) => string.Create(CultureInfo.InvariantCulture, $"10.251.{(i + 2) / 256}.{(i + 2) % 256}");
static string GroupId(int g) => string.Create(CultureInfo.InvariantCulture, $"sg-bench{g:d5}");

var members = Enumerable.Range(0, groupCount).Select(_ => new List<string>()).ToArray();
var nics = new List<FilterInterface>(interfaces);
for (var i = 0; i < interfaces; i++)
{
    var groups = Enumerable.Range(0, perInterface).Select(k => (i + k * 37) % groupCount).Distinct().ToList();
    groups.ForEach(g => members[g].Add(Address(i)));
    nics.Add(new FilterInterface(Address(i), [.. groups.Select(GroupId)]));
}

List<SecurityGroupRule> RulesOf(int g, int extra)
{
    var rules = new List<SecurityGroupRule>
    {
        new() { Id = "sgr-m" + g, Direction = "ingress", Protocol = "all", GroupId = GroupId(g), Priority = 32767, Action = "accept" },
    };
    for (var r = 1; r < rulesPerGroup + extra; r++)
    {
        // A mix of what users write: ports from blocks, ports from other groups, a few drops and egress rules.
        rules.Add(new SecurityGroupRule
        {
            Id = string.Create(CultureInfo.InvariantCulture, $"sgr-{g}-{r}"),
            Direction = r % 5 == 0 ? "egress" : "ingress",
            Protocol = r % 3 == 0 ? "udp" : "tcp",
            FromPort = 1000 + r,
            ToPort = r % 4 == 0 ? 1100 + r : 1000 + r,
            Cidr = r % 2 == 0 ? string.Create(CultureInfo.InvariantCulture, $"192.168.{r}.0/24") : null,
            GroupId = r % 2 == 0 ? null : GroupId((g + r) % groupCount),
            Priority = 100 + r,
            Action = r % 7 == 0 ? "drop" : "accept",
        });
    }

    return rules;
}

FilterRuleset Filter(int changedGroup) =>
    new()
    {
        Table = "nimbus_bench_filter",
        Interfaces = nics,
        Groups = [.. Enumerable.Range(0, groupCount).Select(g => new FilterGroup(GroupId(g), members[g], RulesOf(g, g == changedGroup ? 1 : 0)))],
    };

NetworkRuleset Ruleset(int changedGroup) =>
        new()
        {
            Table = "nimbus_bench",
            MetadataAddress = "10.251.0.1",
            MetadataPort = 18080,
            Networks = [new RulesetNetwork { Id = "default", Bridge = "nbench0", Cidr = "10.251.0.0/16", Masquerade = true }],
            Interfaces = [.. nics.Select((n, i) => new RulesetInterface("i-bench" + i.ToString("d5", CultureInfo.InvariantCulture), n.PrivateIpAddress))],
            Filter = Filter(changedGroup),
        };

static string VethOf(RulesetInterface i) => "nv" + i.InstanceId[2..];
string Render(int changedGroup) => NftRuleset.Render(Ruleset(changedGroup), VethOf);

Directory.CreateDirectory(output);
File.WriteAllText(Path.Combine(output, "before.nft"), Render(-1));
File.WriteAllText(Path.Combine(output, "after.nft"), Render(0));

// The node's side of one change, as LinuxNetworkNode does it: the network's text (compared with the last, unchanged
// here), the filter table of the new state, the delta against the last.
var before = FilterTable.Of(Filter(-1));
string delta = "";
var times = new List<double>();
const int Warmup = 10, Rounds = 21;
for (var round = 0; round < Warmup + Rounds; round++)
{
    // Warm-up rounds first: a running Nimbus has its code compiled long before a rule changes.
    var next = Ruleset(0);
    var clock = System.Diagnostics.Stopwatch.StartNew();
    _ = NftRuleset.RenderNetwork(next, VethOf);
    delta = FilterRulesetDelta.Render(before, FilterTable.Of(next.Filter!, before));
    if (round >= Warmup)
    {
        times.Add(clock.Elapsed.TotalMilliseconds);
    }
}

var nodeMs = times.Order().ElementAt(Rounds / 2);
File.WriteAllText(Path.Combine(output, "delta.nft"), delta);
File.WriteAllText(Path.Combine(output, "undo.nft"), FilterRulesetDelta.Render(FilterTable.Of(Filter(0)), before));
Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"node work per change (table and delta text, median of {Rounds}): {nodeMs:F1} ms; delta: {delta.Count(c => c == '\n')} commands"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{interfaces} interfaces, {groupCount * rulesPerGroup} rules in {groupCount} groups, {perInterface} group(s) per interface"));
return 0;
