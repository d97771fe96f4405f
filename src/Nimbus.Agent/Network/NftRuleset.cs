using System.Text;
using Nimbus.Compute.Node;

namespace Nimbus.Agent.Network;

/// <summary>
/// The nftables text of a network's ruleset: two tables of one name, each first created, deleted and declared anew
/// in the same file, so that <c>nft -f</c> replaces them in one transaction and leaves every other table alone.
/// <list type="bullet">
/// <item><c>inet</c>: DNAT of 169.254.169.254:80 from the bridge to the metadata service on the gateway, and
/// masquerade of the network's range towards every other destination.</item>
/// <item><c>bridge</c>: anti-spoofing at the bridge ports. Traffic from an instance to the host enters IP through the
/// bridge device, so only the bridge family still sees which port (veth) a frame came in on: IPv4 and ARP from a port
/// must carry the port's own address, which is what lets the metadata service trust a source address.</item>
/// </list>
/// Per-interface data sits in sets (<c>ports</c>, <c>addresses</c>), so a packet costs two lookups whatever the number of instances.
/// </summary>
internal static class NftRuleset
{
    public const string MetadataAddress = "169.254.169.254";

    public static string Render(NetworkRuleset rules, Func<string, string> vethOf)
    {
        var text = new StringBuilder();
        var table = rules.Table;
        text.Append("table inet ").Append(table).Append('\n');
        text.Append("delete table inet ").Append(table).Append('\n');
        text.Append("table inet ").Append(table).Append(" {\n");
        text.Append("\tchain prerouting {\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n");
        if (rules.MetadataPort is { } port)
        {
            text.Append("\t\tiifname \"").Append(rules.Bridge).Append("\" ip daddr ").Append(MetadataAddress)
                .Append(" tcp dport 80 dnat ip to ").Append(rules.Gateway).Append(':').Append(port).Append('\n');
        }

        text.Append("\t}\n");
        text.Append("\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n");
        text.Append("\t\tip saddr ").Append(rules.Cidr).Append(" ip daddr != ").Append(rules.Cidr).Append(" masquerade\n");
        text.Append("\t}\n}\n");

        text.Append("table bridge ").Append(table).Append('\n');
        text.Append("delete table bridge ").Append(table).Append('\n');
        text.Append("table bridge ").Append(table).Append(" {\n");
        text.Append("\tset ports {\n\t\ttype ifname\n");
        if (rules.Interfaces.Count > 0)
        {
            text.Append("\t\telements = { ").AppendJoin(", ", rules.Interfaces.Select(i => $"\"{vethOf(i.InstanceId)}\"")).Append(" }\n");
        }

        text.Append("\t}\n");
        text.Append("\tset addresses {\n\t\ttype ifname . ipv4_addr\n");
        if (rules.Interfaces.Count > 0)
        {
            text.Append("\t\telements = { ").AppendJoin(", ", rules.Interfaces.Select(i => $"\"{vethOf(i.InstanceId)}\" . {i.PrivateIpAddress}")).Append(" }\n");
        }

        text.Append("\t}\n");
        text.Append("\tchain prerouting {\n\t\ttype filter hook prerouting priority -300; policy accept;\n");
        text.Append("\t\tiifname @ports ether type ip iifname . ip saddr != @addresses drop\n");
        text.Append("\t\tiifname @ports ether type arp iifname . arp saddr ip != @addresses drop\n");
        text.Append("\t}\n}\n");
        if (rules.Filter is { } filter)
        {
            FilterRulesetText.Render(text, filter);
        }

        if (rules.Edge is { } edge)
        {
            EdgeRulesetText.Render(text, edge);
        }

        return text.ToString();
    }
}
