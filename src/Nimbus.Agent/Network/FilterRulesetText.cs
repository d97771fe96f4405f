using System.Globalization;
using System.Text;
using Nimbus.Compute.Node;
using Nimbus.Contracts.Network;

namespace Nimbus.Agent.Network;

/// <summary>
/// The nftables text of the security groups: one <c>inet</c> table of its own, declared anew in the same file (and so
/// the same transaction) as the network's tables, or changed in place by a delta (see <see cref="FilterRulesetDelta"/>).
/// <para>
/// Where: instances share a bridge, so traffic between them never reaches IP forwarding on its own, and this kernel
/// family has no connection tracking in the <c>bridge</c> family (<c>nf_conntrack_bridge</c> is often not built).
/// The bridge is therefore made with <c>nf_call_iptables</c> (per bridge, not the global sysctl), which passes its
/// IPv4 frames through the <c>inet</c> hooks with conntrack. There the port a frame came in on is no longer visible,
/// but the source address is as good: the anti-spoofing table drops any frame from a port that does not carry the
/// port's own address, before this table sees it. So the table is keyed by private address:
/// </para>
/// <list type="bullet">
/// <item><c>forward</c> (instance to instance, instance to the outside): egress of the source, then ingress of the destination.</item>
/// <item><c>input</c> (instance to the host, the metadata service included): egress of the source; the metadata service is always reachable.</item>
/// <item><c>output</c> (host to instance): ingress of the destination.</item>
/// </list>
/// Each hook first accepts <c>ct state established,related</c> (stateful: replies pass, and a rule change leaves
/// established connections alone), then makes two verdict-map lookups (<c>egress</c> by source address,
/// <c>ingress</c> by destination) to a chain per distinct combination of groups, holding the union of their rules
/// sorted by priority (drop first at equal priority). A group named by a rule is a set of its members' addresses. So
/// a new connection costs two map lookups and its own interface's rules, whatever the number of interfaces and groups.
/// </summary>
internal static class FilterRulesetText
{
    private const string MetadataAddress = "169.254.169.254";

    /// <summary>The full table: created, deleted and declared anew, so that it replaces whatever the kernel had.</summary>
    public static void Render(StringBuilder text, FilterRuleset filter) => Render(text, FilterTable.Of(filter));

    public static void Render(StringBuilder text, FilterTable filter)
    {
        var table = filter.Table;
        text.Append("table inet ").Append(table).Append('\n');
        text.Append("delete table inet ").Append(table).Append('\n');
        text.Append("table inet ").Append(table).Append(" {\n");

        foreach (var (name, members) in filter.Sets)
        {
            text.Append("\tset ").Append(name).Append(" {\n\t\ttype ipv4_addr\n");
            AppendElements(text, members);
            text.Append("\t}\n");
        }

        text.Append("\tmap ingress {\n\t\ttype ipv4_addr : verdict\n");
        AppendElements(text, filter.Ingress.Select(c => c.Key + " : jump " + c.Value));
        text.Append("\t}\n");
        text.Append("\tmap egress {\n\t\ttype ipv4_addr : verdict\n");
        AppendElements(text, filter.Egress.Select(c => c.Key + " : jump " + c.Value));
        text.Append("\t}\n");

        foreach (var (name, lines) in filter.Chains)
        {
            text.Append("\tchain ").Append(name).Append(" {\n");
            foreach (var line in lines)
            {
                text.Append("\t\t").Append(line).Append('\n');
            }

            text.Append("\t}\n");
        }

        text.Append("\tchain forward {\n\t\ttype filter hook forward priority filter; policy accept;\n");
        text.Append("\t\tct state established,related accept\n");
        text.Append("\t\tip saddr vmap @egress\n");
        text.Append("\t\tip daddr vmap @ingress\n");
        text.Append("\t}\n");
        text.Append("\tchain input {\n\t\ttype filter hook input priority filter; policy accept;\n");
        text.Append("\t\tct state established,related accept\n");
        text.Append("\t\tct original ip daddr ").Append(MetadataAddress).Append(" accept\n");
        text.Append("\t\tip saddr vmap @egress\n");
        text.Append("\t}\n");
        text.Append("\tchain output {\n\t\ttype filter hook output priority filter; policy accept;\n");
        text.Append("\t\tct state established,related accept\n");
        text.Append("\t\tip daddr vmap @ingress\n");
        text.Append("\t}\n}\n");
    }

    /// <summary>
    /// One direction of a combination: its rules sorted by priority, drop before accept at equal priority, each
    /// once, then the fallback. Ingress: accept ends the packet's path here, the fallback drops. Egress: accept
    /// returns to the hook (the destination's ingress is next), the fallback returns too (egress is allowed unless a
    /// rule drops).
    /// </summary>
    internal static List<string> ChainLines(string direction, IEnumerable<SecurityGroupRule> rules, IReadOnlySet<string> knownGroups)
    {
        var lines = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rule in rules.Where(r => r.Direction == direction)
                     .OrderBy(r => r.Priority).ThenBy(r => r.Action == "drop" ? 0 : 1))
        {
            var line = new StringBuilder();
            var peer = direction == SecurityGroupDirections.Ingress ? "ip saddr " : "ip daddr ";
            if (rule.GroupId is { } group)
            {
                if (!knownGroups.Contains(group))
                {
                    continue;
                }

                line.Append(peer).Append('@').Append(SetName(group)).Append(' ');
            }
            else if (rule.Cidr is { } cidr && cidr != "0.0.0.0/0")
            {
                line.Append(peer).Append(cidr).Append(' ');
            }

            switch (rule.Protocol)
            {
                case "tcp" or "udp":
                    line.Append("meta l4proto ").Append(rule.Protocol).Append(" th dport ").Append(rule.FromPort!.Value.ToString(CultureInfo.InvariantCulture));
                    if (rule.ToPort is { } to && to != rule.FromPort)
                    {
                        line.Append('-').Append(to.ToString(CultureInfo.InvariantCulture));
                    }

                    line.Append(' ');
                    break;
                case "icmp":
                    line.Append("meta l4proto icmp ");
                    break;
            }

            line.Append(rule.Action == "drop" ? "drop" : direction == SecurityGroupDirections.Ingress ? "accept" : "return");
            var rendered = line.ToString();
            if (seen.Add(rendered))
            {
                lines.Add(rendered);
            }
        }

        lines.Add(direction == SecurityGroupDirections.Ingress ? "drop" : "return");
        return lines;
    }

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

    /// <summary>The member set of a group: <c>m_</c> and its id with '-' made '_' (a plain nft identifier).</summary>
    internal static string SetName(string groupId) => "m_" + groupId.Replace('-', '_');
}
