using System.Globalization;
using Nimbus.Cli.Output;
using Nimbus.Contracts.Network;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk;

namespace Nimbus.Cli.Views;

/// <summary>Network interfaces as a table: where each is, its addresses, and what it is attached to.</summary>
internal static class NetworkInterfaceView
{
    public static Table Page(PageDto<ResourceDto> page) => Many(page.Items);

    public static Table One(ResourceDto networkInterface) => Many([networkInterface]);

    public static Table Many(IEnumerable<ResourceDto> interfaces)
    {
        var table = new Table("ID", "NAME", "STATUS", "SUBNET", "PRIVATE-IP", "SECONDARY-IPS", "INSTANCE", "DEVICE", "GROUPS", "CREATED");
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
                Cells.Time(networkInterface.CreatedAt));
        }

        return table;
    }
}
