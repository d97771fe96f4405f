using System.Globalization;
using System.Net;
using System.Text.Json;
using Nimbus.Cli.Output;
using Nimbus.Contracts.Network;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk;
using Nimbus.Sdk.Json;

namespace Nimbus.Cli.Views;

/// <summary>VPCs and subnets as tables: ranges, zones and the address usage of each subnet.</summary>
internal static class NetworkViews
{
    public static Table VpcPage(PageDto<ResourceDto> page) => Vpcs(page.Items);

    public static Table Vpc(ResourceDto vpc) => Vpcs([vpc]);

    public static Table SubnetPage(PageDto<ResourceDto> page) => Subnets(page.Items);

    public static Table Subnet(ResourceDto subnet) => Subnets([subnet]);

    public static Table Vpcs(IEnumerable<ResourceDto> vpcs)
    {
        var table = new Table("ID", "NAME", "CIDR", "DEFAULT", "STATE", "TAGS", "CREATED");
        foreach (var vpc in vpcs)
        {
            var spec = ResourceSpecs.ReadOrNull<VpcSpec>(vpc);
            table.AddRow(vpc.Id, vpc.Name, spec?.Cidr, spec?.IsDefault == true ? "yes" : "no", vpc.Status.Phase, Cells.Tags(vpc.Tags), Cells.Time(vpc.CreatedAt));
        }

        return table;
    }

    /// <summary>One row per subnet; USED and AVAILABLE count addresses interfaces may get (network, gateway and broadcast are not among them).</summary>
    public static Table Subnets(IEnumerable<ResourceDto> subnets)
    {
        var table = new Table("ID", "NAME", "VPC", "CIDR", "ZONE", "GATEWAY", "USED", "AVAILABLE", "DEFAULT", "TAGS", "CREATED");
        foreach (var subnet in subnets)
        {
            var spec = ResourceSpecs.ReadOrNull<SubnetSpec>(subnet);
            var details = DetailsOf(subnet);
            table.AddRow(
                subnet.Id,
                subnet.Name,
                spec?.VpcId,
                spec?.Cidr,
                spec?.Zone,
                details?.Gateway ?? "-",
                details is null ? "-" : Cells.Number(details.UsedIpAddressCount),
                details is null ? "-" : Cells.Number(details.AvailableIpAddressCount),
                spec?.IsDefault == true ? "yes" : "no",
                Cells.Tags(subnet.Tags),
                Cells.Time(subnet.CreatedAt));
        }

        return table;
    }

    /// <summary>The held addresses in address order, with the three reserved ones (network, gateway, broadcast) where they fall.</summary>
    public static Table Addresses(ResourceDto? subnet, SubnetAddressesDto held)
    {
        var rows = new List<(uint Sort, string Address, string Interface, string Instance)>();
        foreach (var address in held.Addresses)
        {
            rows.Add((Sortable(address.Address), address.Address, address.InterfaceId, address.InstanceId ?? "-"));
        }

        if (subnet is not null && ResourceSpecs.ReadOrNull<SubnetSpec>(subnet)?.Cidr is { } cidr && Bounds(cidr) is var (network, broadcast) && broadcast > network)
        {
            rows.Add((network, Format(network), "(reserved: network)", "-"));
            rows.Add((network + 1, Format(network + 1), "(reserved: gateway)", "-"));
            rows.Add((broadcast, Format(broadcast), "(reserved: broadcast)", "-"));
        }

        var table = new Table("ADDRESS", "INTERFACE", "INSTANCE");
        foreach (var row in rows.OrderBy(r => r.Sort))
        {
            table.AddRow(row.Address, row.Interface, row.Instance);
        }

        return table;
    }

    private static (uint Network, uint Broadcast)? Bounds(string cidr)
    {
        var slash = cidr.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !IPAddress.TryParse(cidr[..slash], out var address) || !int.TryParse(cidr[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) || prefix is < 0 or > 32)
        {
            return null;
        }

        var start = Sortable(address.ToString());
        var size = prefix == 0 ? uint.MaxValue : (1u << (32 - prefix)) - 1;
        return (start & ~size, (start & ~size) | size);
    }

    private static uint Sortable(string address) =>
        IPAddress.TryParse(address, out var parsed) && parsed.GetAddressBytes() is { Length: 4 } b ? ((uint)b[0] << 24) | ((uint)b[1] << 16) | ((uint)b[2] << 8) | b[3] : 0;

    private static string Format(uint value) => string.Create(CultureInfo.InvariantCulture, $"{value >> 24}.{(value >> 16) & 255}.{(value >> 8) & 255}.{value & 255}");

    private static SubnetDetailsDto? DetailsOf(ResourceDto subnet) =>
        subnet.Status.Details is { ValueKind: JsonValueKind.Object } details ? details.Deserialize<SubnetDetailsDto>(NimbusJson.Options) : null;
}
