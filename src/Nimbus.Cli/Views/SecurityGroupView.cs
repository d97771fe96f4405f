using System.Globalization;
using Nimbus.Cli.Output;
using Nimbus.Contracts.Network;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk;

namespace Nimbus.Cli.Views;

/// <summary>Security groups as a list, and one group as its rule table (in the order the filter applies them).</summary>
internal static class SecurityGroupView
{
    public static Table Page(PageDto<ResourceDto> page) => Many(page.Items);

    public static Table Many(IEnumerable<ResourceDto> groups)
    {
        var table = new Table("ID", "NAME", "VPC", "INGRESS", "EGRESS", "DESCRIPTION", "TAGS", "CREATED");
        foreach (var group in groups)
        {
            var spec = ResourceSpecs.ReadOrNull<SecurityGroupSpec>(group);
            table.AddRow(
                group.Id,
                group.Name,
                spec?.VpcId,
                Cells.Number(spec?.Rules.Count(r => r.Direction == SecurityGroupDirections.Ingress) ?? 0),
                Cells.Number(spec?.Rules.Count(r => r.Direction == SecurityGroupDirections.Egress) ?? 0),
                Cells.Text(spec?.Description),
                Cells.Tags(group.Tags),
                Cells.Time(group.CreatedAt));
        }

        return table;
    }

    /// <summary>
    /// The rules of one group, ingress first, each direction by priority with drop before accept, and the fallback
    /// of each direction last (ingress: drop, egress: accept), so the table reads as the filter decides.
    /// </summary>
    public static Table Rules(ResourceDto group)
    {
        var spec = ResourceSpecs.ReadOrNull<SecurityGroupSpec>(group);
        var table = new Table("RULE", "DIRECTION", "PRIORITY", "ACTION", "PROTOCOL", "PORTS", "PEER", "DESCRIPTION");
        foreach (var direction in new[] { SecurityGroupDirections.Ingress, SecurityGroupDirections.Egress })
        {
            foreach (var rule in (spec?.Rules ?? []).Where(r => r.Direction == direction).OrderBy(r => r.Priority).ThenBy(r => r.Action == "drop" ? 0 : 1))
            {
                table.AddRow(
                    rule.Id,
                    direction,
                    rule.Priority.ToString(CultureInfo.InvariantCulture),
                    rule.Action,
                    rule.Protocol,
                    Ports(rule),
                    rule.GroupId is { } peer ? (peer == group.Id ? $"{peer} (this group)" : peer) : rule.Cidr,
                    Cells.Text(rule.Description));
            }

            table.AddRow("-", direction, "last", direction == SecurityGroupDirections.Ingress ? "drop" : "accept", "all", "all", "anything else", "default");
        }

        return table;
    }

    private static string Ports(SecurityGroupRule rule) => rule.FromPort is not { } from
        ? "all"
        : rule.ToPort is { } to && to != from ? string.Create(CultureInfo.InvariantCulture, $"{from}-{to}") : from.ToString(CultureInfo.InvariantCulture);
}
