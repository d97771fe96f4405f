using System.Globalization;
using Nimbus.Cli.Output;
using Nimbus.Contracts.Network;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk;

namespace Nimbus.Cli.Views;

/// <summary>Network interfaces as a table: where each is, its addresses, what it is attached to, and whether it may send from addresses not its own.</summary>
internal static class NetworkInterfaceView
{
    public static Table Page(PageDto<ResourceDto> page) => Many(page.Items);

    public static Table One(ResourceDto networkInterface) => Many([networkInterface]);

    public static Table Many(IEnumerable<ResourceDto> interfaces)
    {
        var table = new Table("ID", "NAME", "STATUS", "SUBNET", "PRIVATE-IP", "SECONDARY-IPS", "INSTANCE", "DEVICE", "GROUPS", "SRC-DST-CHECK", "CREATED");
        foreach (var networkInterface in interfaces)
        {
            var spec = ResourceSpecs.ReadOrNull<NetworkInterfaceSpec>(networkInterface);
            table.AddRow(
                networkInterface.Id,
                networkInterface.Name,
                networkInterface.Status.Phase,
                spec?.SubnetId,
                spec?.PrivateIpAddress,
                spec is { SecondaryPrivateIpAddresses.Count: > 0 } ? string.Join(",", spec.SecondaryPrivateIpAddresses) : "-",
                spec?.Attachment?.InstanceId ?? "-",
                spec?.Attachment is { } attachment ? "eth" + attachment.DeviceIndex.ToString(CultureInfo.InvariantCulture) + (spec.Primary ? " (primary)" : "") : "-",
                spec is { SecurityGroupIds.Count: > 0 } ? string.Join(",", spec.SecurityGroupIds) : "-",
                spec is null ? "-" : spec.SourceDestCheck != false ? "true" : "false",
                Cells.Time(networkInterface.CreatedAt));
        }

        return table;
    }
}
