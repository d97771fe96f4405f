using System.Globalization;
using System.Text;
using Nimbus.Compute.Node;

namespace Nimbus.Agent.Network;

/// <summary>
/// The nftables text of the edge: elastic IPs in one <c>inet</c> table of its own, declared anew in the same file (and
/// so the same transaction) as the network's tables. Two maps hold every mapping, so a packet costs one lookup
/// whatever the number of elastic IPs:
/// <list type="bullet">
/// <item><c>eip_dnat</c> (elastic IP → private IP): DNAT in <c>prerouting</c> (traffic from other machines) and in
/// <c>output</c> (traffic from this host, which never passes prerouting).</item>
/// <item><c>ngw_dnat</c> (elastic IP . protocol . port → private IP . port): NAT gateways' port forwards, DNAT in the
/// same two chains after <c>eip_dnat</c> (a gateway's elastic IP is never in that map).</item>
/// <item><c>eip_snat</c> (private IP → elastic IP): SNAT of the instance's new connections in <c>postrouting</c> when
/// they leave for the host's networks. A loopback pool cannot leave the host (the kernel drops 127.0.0.0/8 on the
/// wire), so there the instance's connections to the host itself (<c>input</c>) get it instead, and connections to
/// the outside keep the network's masquerade.</item>
/// </list>
/// Host-to-instance traffic to a loopback elastic IP leaves with a 127.0.0.0/8 source: it is given the bridge's
/// address in the instance's subnet, its gateway (masquerade; the instance could not answer a loopback source), and the bridge needs <c>route_localnet</c> to route it
/// at all. That switch would also let an instance reach the host's loopback services through the gateway, so anything
/// from a bridge to 127.0.0.0/8 is dropped first (<c>guard</c>, before NAT: a reply's de-NAT comes later).
/// </summary>
internal static class EdgeRulesetText
{
    public static void Render(StringBuilder text, EdgeRuleset edge)
    {
        var table = edge.Table;
        var loopback = IsLoopback(edge.Pool);
        var associated = edge.ElasticIps.Where(e => e.PrivateIpAddress is not null).ToList();
        text.Append("table inet ").Append(table).Append('\n');
        text.Append("delete table inet ").Append(table).Append('\n');
        text.Append("table inet ").Append(table).Append(" {\n");
        text.Append("\tmap eip_dnat {\n\t\ttype ipv4_addr : ipv4_addr\n");
        if (associated.Count > 0)
        {
            text.Append("\t\telements = { ").AppendJoin(", ", associated.Select(e => $"{e.PublicIp} : {e.PrivateIpAddress}")).Append(" }\n");
        }

        text.Append("\t}\n");
        text.Append("\tmap eip_snat {\n\t\ttype ipv4_addr : ipv4_addr\n");
        if (associated.Count > 0)
        {
            text.Append("\t\telements = { ").AppendJoin(", ", associated.Select(e => $"{e.PrivateIpAddress} : {e.PublicIp}")).Append(" }\n");
        }

        text.Append("\t}\n");
        text.Append("\tmap ngw_snat {\n\t\ttype ipv4_addr . ipv4_addr : ipv4_addr\n\t\tflags interval\n");
        if (edge.NatFlows.Count > 0)
        {
            text.Append("\t\telements = { ").AppendJoin(", ", edge.NatFlows.Select(f => $"{f.Source} . {f.Destination} : {f.ElasticIp}")).Append(" }\n");
        }

        text.Append("\t}\n");
        text.Append("\tset ngw_flows {\n\t\ttype ipv4_addr . ipv4_addr\n\t\tflags interval\n");
        if (edge.NatFlows.Count > 0)
        {
            text.Append("\t\telements = { ").AppendJoin(", ", edge.NatFlows.Select(f => $"{f.Source} . {f.Destination}").Distinct(StringComparer.Ordinal)).Append(" }\n");
        }

        text.Append("\t}\n");
        text.Append("\tmap ngw_dnat {\n\t\ttype ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service\n");
        if (edge.PortForwards.Count > 0)
        {
            text.Append("\t\telements = { ").AppendJoin(", ", edge.PortForwards.Select(f => string.Create(
                CultureInfo.InvariantCulture, $"{f.PublicIp} . {f.Protocol} . {f.ExternalPort} : {f.PrivateIpAddress} . {f.PrivatePort}"))).Append(" }\n");
        }

        text.Append("\t}\n");
        text.Append("\tset internal {\n\t\ttype ipv4_addr\n\t\tflags interval\n");
        if (edge.InternalCidrs.Count > 0)
        {
            text.Append("\t\telements = { ").AppendJoin(", ", edge.InternalCidrs).Append(" }\n");
        }

        text.Append("\t}\n");
        text.Append("\tchain guard {\n\t\ttype filter hook prerouting priority raw; policy accept;\n");
        if (edge.Bridges.Count > 0)
        {
            // Every packet from a bridge passes here: the address test first (a compare), the set of bridges (a lookup) only for 127.0.0.0/8.
            text.Append("\t\tip daddr 127.0.0.0/8 iifname { ").AppendJoin(", ", edge.Bridges.Select(b => $"\"{b}\"")).Append(" } drop\n");
        }

        text.Append("\t}\n");
        text.Append("\tchain prerouting {\n\t\ttype nat hook prerouting priority -110; policy accept;\n");
        text.Append("\t\tdnat ip to ip daddr map @eip_dnat\n");
        text.Append("\t\tdnat ip to ip daddr . meta l4proto . th dport map @ngw_dnat\n");
        text.Append("\t}\n");
        text.Append("\tchain output {\n\t\ttype nat hook output priority -110; policy accept;\n");
        text.Append("\t\tdnat ip to ip daddr map @eip_dnat\n");
        text.Append("\t\tdnat ip to ip daddr . meta l4proto . th dport map @ngw_dnat\n");
        text.Append("\t}\n");
        text.Append("\tchain postrouting {\n\t\ttype nat hook postrouting priority 90; policy accept;\n");
        text.Append("\t\tct status dnat ip saddr 127.0.0.0/8 ip daddr @internal masquerade\n");
        if (!loopback)
        {
            text.Append("\t\tip saddr @internal ip daddr != @internal snat ip to ip saddr map @eip_snat\n");
        }

        if (edge.Bridges.Count > 0)
        {
            // NAT gateways, leaving the host: from the elastic IP, or (a loopback pool cannot be on the wire) the host's address.
            var outside = "oifname != { " + string.Join(", ", edge.Bridges.Select(b => $"\"{b}\"")) + " } ";
            text.Append("\t\t").Append(outside).Append(loopback ? "ip saddr . ip daddr @ngw_flows masquerade\n" : "snat ip to ip saddr . ip daddr map @ngw_snat\n");
        }

        text.Append("\t}\n");
        text.Append("\tchain input {\n\t\ttype nat hook input priority 90; policy accept;\n");

        // The metadata service (DNAT to the gateway) knows an instance by its private address.
        text.Append("\t\tct status dnat return\n");
        if (loopback)
        {
            text.Append("\t\tsnat ip to ip saddr map @eip_snat\n");
        }

        // NAT gateways, to the host's own addresses: from the elastic IP (an elastic IP of the instance's own comes first).
        text.Append("\t\tsnat ip to ip saddr . ip daddr map @ngw_snat\n");
        text.Append("\t}\n");

        text.Append("}\n");
    }

    /// <summary>True for a pool inside 127.0.0.0/8.</summary>
    public static bool IsLoopback(string pool) => pool.StartsWith("127.", StringComparison.Ordinal);
}
