using Nimbus.Cli.Output;
using Nimbus.Contracts.Network;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk;

namespace Nimbus.Cli.Views;

/// <summary>NAT gateways: subnet, VPC and elastic IP.</summary>
internal static class NatGatewayView
{
    public static Table Page(PageDto<ResourceDto> page) => Many(page.Items);

    public static Table One(ResourceDto gateway) => Many([gateway]);

    public static Table Many(IEnumerable<ResourceDto> gateways)
    {
        var table = new Table("ID", "NAME", "STATE", "SUBNET", "VPC", "PUBLIC-IP", "ALLOCATION", "TAGS", "CREATED");
        foreach (var gateway in gateways)
        {
            var spec = ResourceSpecs.ReadOrNull<NatGatewaySpec>(gateway);
            table.AddRow(
                gateway.Id,
                gateway.Name,
                gateway.Status.Phase,
                Cells.Text(spec?.SubnetId),
                Cells.Text(spec?.VpcId),
                Cells.Text(spec?.PublicIp),
                Cells.Text(spec?.AllocationId),
                Cells.Tags(gateway.Tags),
                Cells.Time(gateway.CreatedAt));
        }

        return table;
    }
}
