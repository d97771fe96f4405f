using System.Globalization;
using Nimbus.Agent.Network;
using Nimbus.Compute.Node;
using Nimbus.Contracts.Network;

// Renders the ruleset Nimbus would apply for a synthetic node — INTERFACES interfaces, GROUPS groups of
// RULES_PER_GROUP rules each (the members rule included), each interface in GROUPS_PER_INTERFACE groups — with the
// node's own renderer, before and after one rule change, for bench/network.sh to time `nft -f` on.
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

string Render(int changedGroup)
{
    var filter = new FilterRuleset
    {
        Table = "nimbus_bench_filter",
        Interfaces = nics,
        Groups = [.. Enumerable.Range(0, groupCount).Select(g => new FilterGroup(GroupId(g), members[g], RulesOf(g, g == changedGroup ? 1 : 0)))],
    };
    return NftRuleset.Render(
        new NetworkRuleset
        {
            Table = "nimbus_bench",
            MetadataAddress = "10.251.0.1",
            MetadataPort = 18080,
            Networks = [new RulesetNetwork { Id = "default", Bridge = "nbench0", Cidr = "10.251.0.0/16", Masquerade = true }],
            Interfaces = [.. nics.Select((n, i) => new RulesetInterface("i-bench" + i.ToString("d5", CultureInfo.InvariantCulture), n.PrivateIpAddress))],
            Filter = filter,
        },
        id => "nv" + id[2..]);
}

Directory.CreateDirectory(output);
File.WriteAllText(Path.Combine(output, "before.nft"), Render(-1));
File.WriteAllText(Path.Combine(output, "after.nft"), Render(0));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{interfaces} interfaces, {groupCount * rulesPerGroup} rules in {groupCount} groups, {perInterface} group(s) per interface"));
return 0;
