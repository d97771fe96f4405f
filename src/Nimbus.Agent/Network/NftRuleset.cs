using System.Text;
using Nimbus.Compute.Node;

namespace Nimbus.Agent.Network;

/// <summary>
/// The nftables text of the node's ruleset: two tables of one name, each first created, deleted and declared anew in
/// the same file, so that <c>nft -f</c> replaces them in one transaction and leaves every other table alone.
/// <list type="bullet">
/// <item><c>inet</c>: DNAT of 169.254.169.254:80 from every Nimbus bridge to the metadata service; masquerade of the
/// networks that reach the host's networks (the legacy network, default VPCs) towards any interface that is not a
/// Nimbus bridge; and isolation: a packet forwarded from one Nimbus bridge to another is dropped unless the pair is in
/// <c>links</c> (each bridge with itself: routing between subnets of one VPC; peerings add pairs), and a VPC that does
/// not masquerade forwards nothing to or from the outside. Bridges are keyed in sets, so a new flow costs a few hash
/// lookups whatever the number of VPCs; a flow inside one VPC is marked in conntrack on its first packet, and its later
/// packets cost one test of the mark.</item>
/// <item><c>bridge</c>: anti-spoofing at the bridge ports. Traffic from an instance to the host enters IP through the
/// bridge device, so only the bridge family still sees which port (veth) a frame came in on: IPv4 and ARP from a port
/// must carry the port's own address, which is what lets the metadata service trust a source address. Every frame
/// is checked (one lookup for a frame with its port's address).</item>
/// </list>
/// Per-interface data sits in sets (<c>ports</c>, <c>addresses</c>), so a packet costs two lookups whatever the number of instances.
/// </summary>
internal static class NftRuleset
{
    public const string MetadataAddress = "169.254.169.254";

    /// <summary>
    /// The conntrack mark bit of a flow that stays inside one VPC (see the forward chain). One bit of the mark, the
    /// others left as they are: other software on the host may use the rest.
    /// </summary>
    public const string SameVpcMark = "0x02000000";

    /// <summary>
    /// Packet mark bit of traffic an appliance (source/destination check off) sends from an address not its own: it may
    /// be forwarded, never delivered to the host (the metadata service knows instances by source address).
    /// </summary>
    public const string ForeignSourceMark = "0x40000000";

    /// <summary>The whole ruleset: the network's tables and the security-group table, each replaced.</summary>
    public static string Render(NetworkRuleset rules, Func<RulesetInterface, string> vethOf)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var text = new StringBuilder(RenderNetwork(rules, vethOf));
        if (rules.Filter is { } filter)
        {
            FilterRulesetText.Render(text, filter);
        }

        return text.ToString();
    }

    /// <summary>The network's tables only (NAT and metadata redirect, isolation, anti-spoofing, and the edge table of elastic IPs), each replaced.</summary>
    public static string RenderNetwork(NetworkRuleset rules, Func<RulesetInterface, string> vethOf)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var text = new StringBuilder();
        var table = rules.Table;
        var bridges = rules.Networks.Select(n => Quote(n.Bridge)).Distinct(StringComparer.Ordinal).ToList();
        text.Append("table inet ").Append(table).Append('\n');
        text.Append("delete table inet ").Append(table).Append('\n');
        text.Append("table inet ").Append(table).Append(" {\n");
        text.Append("\tset bridges {\n\t\ttype ifname\n");
        AppendElements(text, bridges);
        text.Append("\t}\n");
        text.Append("\tset isolated {\n\t\ttype ifname\n");
        AppendElements(text, rules.Networks.Where(n => !n.Masquerade).Select(n => Quote(n.Bridge)).Distinct(StringComparer.Ordinal));
        text.Append("\t}\n");
        text.Append("\tset links {\n\t\ttype ifname . ifname\n");
        AppendElements(text, bridges.Select(b => b + " . " + b));
        text.Append("\t}\n");
        text.Append("\tset peered {\n\t\ttype ipv4_addr . ipv4_addr\n\t\tflags interval\n");
        AppendElements(text, rules.PeeredFlows.Select(f => f.Source + " . " + f.Destination));
        text.Append("\t}\n");
        text.Append("\tset nat_flows {\n\t\ttype ipv4_addr . ipv4_addr\n\t\tflags interval\n");
        AppendElements(text, rules.NatFlows.Select(f => f.Source + " . " + f.Destination).Distinct(StringComparer.Ordinal));
        text.Append("\t}\n");
        text.Append("\tset internal {\n\t\ttype ipv4_addr\n\t\tflags interval\n");
        AppendElements(text, rules.Networks.Select(n => n.Cidr).Distinct(StringComparer.Ordinal));
        text.Append("\t}\n");
        text.Append("\tset nat_sources {\n\t\ttype ipv4_addr\n\t\tflags interval\n");
        AppendElements(text, rules.Networks.Where(n => n.Masquerade).Select(n => n.Cidr).Distinct(StringComparer.Ordinal));
        text.Append("\t}\n");
        text.Append("\tchain prerouting {\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n");
        if (rules.MetadataPort is { } port && bridges.Count > 0)
        {
            text.Append("\t\tiifname @bridges ip daddr ").Append(MetadataAddress)
                .Append(" tcp dport 80 dnat ip to ").Append(rules.MetadataAddress).Append(':').Append(port).Append('\n');
        }

        text.Append("\t}\n");
        text.Append("\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n");
        text.Append("\t\tip saddr @nat_sources oifname != @bridges masquerade\n");
        text.Append("\t}\n");

        // Before the security groups' filter (priority filter): a drop here is final whatever a group allows. A flow
        // that stays inside one VPC (its bridge linked with itself) is allowed here for its whole life, so its conntrack
        // entry is marked on its first packet and every later packet stops at the first rule: the set lookups below
        // (seven of them per packet, ~1.5 µs of a 64 KB segment's path on the development machine) are paid once per
        // flow. Peered and NAT flows are not marked: a route or peering removed stops them at their next packet, as before.
        text.Append("\tchain forward {\n\t\ttype filter hook forward priority filter - 10; policy accept;\n");
        text.Append("\t\tct mark & ").Append(SameVpcMark).Append(" == ").Append(SameVpcMark).Append(" accept\n");
        text.Append("\t\tiifname . oifname @links ct mark set ct mark | ").Append(SameVpcMark).Append(" accept\n");
        text.Append("\t\tiifname @bridges oifname @bridges iifname . oifname != @links ip saddr . ip daddr != @peered drop\n");
        text.Append("\t\tiifname @isolated oifname != @bridges ip saddr . ip daddr @nat_flows accept\n");
        text.Append("\t\toifname @isolated iifname != @bridges ct direction reply ip daddr . ip saddr @nat_flows accept\n");
        // Connections the edge table DNATs (elastic IPs, NAT gateways' port forwards) from other machines: the VPC
        // is reached only by the mapping, and its replies go back by the connection.
        text.Append("\t\toifname @isolated iifname != @bridges ct status dnat accept\n");
        text.Append("\t\tiifname @isolated oifname != @bridges ct direction reply ct status dnat accept\n");
        text.Append("\t\tiifname @isolated oifname != @bridges drop\n");
        text.Append("\t\toifname @isolated iifname != @bridges drop\n");
        text.Append("\t}\n");

        // An isolated VPC reaches the host only as its router (its gateways) and the metadata service (DNAT'd); the
        // host's other addresses are the host's networks: only a NAT gateway's route lets traffic to them through.
        text.Append("\tchain input {\n\t\ttype filter hook input priority filter - 10; policy accept;\n");
        text.Append("\t\tmeta mark & ").Append(ForeignSourceMark).Append(" == ").Append(ForeignSourceMark).Append(" drop\n");
        text.Append("\t\tct state established,related accept\n");
        text.Append("\t\tiifname != @isolated return\n");
        text.Append("\t\tct status dnat accept\n");
        text.Append("\t\tip daddr @internal accept\n");
        text.Append("\t\tip saddr . ip daddr @nat_flows accept\n");
        text.Append("\t\tmeta nfproto ipv4 drop\n");
        text.Append("\t}\n");

        // The host routes a subnet's traffic to an appliance on the same bridge: it must not tell the sender to go
        // there directly (an ICMP redirect would be cached in the instance and outlive the route).
        text.Append("\tchain output {\n\t\ttype filter hook output priority filter - 10; policy accept;\n");
        text.Append("\t\toifname @bridges icmp type redirect drop\n");
        text.Append("\t}\n}\n");

        text.Append("table bridge ").Append(table).Append('\n');
        text.Append("delete table bridge ").Append(table).Append('\n');
        text.Append("table bridge ").Append(table).Append(" {\n");
        text.Append("\tset ports {\n\t\ttype ifname\n");
        AppendElements(text, rules.Interfaces.Select(i => Quote(vethOf(i))).Distinct(StringComparer.Ordinal));
        text.Append("\t}\n");
        text.Append("\tset addresses {\n\t\ttype ifname . ipv4_addr\n");
        AppendElements(text, rules.Interfaces.Select(i => $"{Quote(vethOf(i))} . {i.PrivateIpAddress}"));
        text.Append("\t}\n");
        text.Append("\tset unchecked {\n\t\ttype ifname\n");
        AppendElements(text, rules.Interfaces.Where(i => !i.SourceDestCheck).Select(i => Quote(vethOf(i))).Distinct(StringComparer.Ordinal));
        text.Append("\t}\n");
        text.Append("\tset networks {\n\t\ttype ipv4_addr\n\t\tflags interval\n");
        AppendElements(text, rules.Networks.Select(n => n.Cidr).Distinct(StringComparer.Ordinal));
        text.Append("\t}\n");
        text.Append("\tchain prerouting {\n\t\ttype filter hook prerouting priority -300; policy accept;\n");
        // Every frame pays this chain (the bridge family has no conntrack to skip it by, and an established flow is no
        // reason to trust a source address), so a frame with its port's own address costs one lookup and is done.
        text.Append("\t\tether type ip iifname . ip saddr @addresses accept\n");
        text.Append("\t\tether type arp iifname . arp saddr ip @addresses accept\n");

        // An appliance's port (source/destination check off) sends other sources too, marked so that the host never
        // takes them for its own. Its ARP may name such a source too (Linux asks from the address it answers from),
        // but never an address of a Nimbus network: it would take another interface's address, or a gateway's.
        text.Append("\t\tiifname @unchecked ether type ip meta mark set meta mark | ").Append(ForeignSourceMark).Append(" accept\n");
        text.Append("\t\tiifname @unchecked ether type arp arp saddr ip != @networks accept\n");
        text.Append("\t\tiifname @ports ether type { ip, arp } drop\n");
        text.Append("\t}\n}\n");

        // The edge table (elastic IPs) goes with the network's tables: a change to it is a change of the network.
        if (rules.Edge is { } edge)
        {
            EdgeRulesetText.Render(text, edge);
        }

        return text.ToString();
    }

    private static string Quote(string name) => "\"" + name + "\"";

    private static void AppendElements(StringBuilder text, IEnumerable<string> elements)
    {
        var first = true;
        foreach (var element in elements)
        {
            text.Append(first ? "\t\telements = { " : ", ").Append(element);
            first = false;
        }

        if (!first)
        {
            text.Append(" }\n");
        }
    }
}
