using Nimbus.Cli.Output;
using Nimbus.Contracts.Network;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk;

namespace Nimbus.Cli.Views;

/// <summary>Route tables as a list, and one table as its routes (most specific first, as a packet chooses) with their states.</summary>
internal static class RouteTableView
{
    public static Table Page(PageDto<ResourceDto> page) => Many(page.Items);

    public static Table Many(IEnumerable<ResourceDto> tables)
    {
        var table = new Table("ID", "NAME", "VPC", "MAIN", "ROUTES", "SUBNETS", "TAGS", "CREATED");
        foreach (var item in tables)
        {
            var spec = ResourceSpecs.ReadOrNull<RouteTableSpec>(item);
            table.AddRow(
                item.Id,
                item.Name,
                spec?.VpcId,
                spec?.IsMain == true ? "yes" : "no",
                Cells.Number(spec?.Routes.Count ?? 0),
                spec is null || spec.SubnetIds.Count == 0 ? (spec?.IsMain == true ? "(unassociated)" : "-") : string.Join(",", spec.SubnetIds),
                Cells.Tags(item.Tags),
                Cells.Time(item.CreatedAt));
        }

        return table;
    }

    public static Table Routes(ResourceDto item)
    {
        var spec = ResourceSpecs.ReadOrNull<RouteTableSpec>(item);
        var table = new Table("DESTINATION", "TARGET", "TYPE", "STATE");
        foreach (var route in (spec?.Routes ?? []).OrderByDescending(r => PrefixOf(r.DestinationCidr)).ThenBy(r => r.DestinationCidr, StringComparer.Ordinal))
        {
            table.AddRow(route.DestinationCidr, route.Target, route.TargetType, route.State ?? "-");
        }

        return table;
    }

    private static int PrefixOf(string cidr) => int.TryParse(cidr.AsSpan(cidr.IndexOf('/', StringComparison.Ordinal) + 1), System.Globalization.CultureInfo.InvariantCulture, out var prefix) ? prefix : 0;
}
