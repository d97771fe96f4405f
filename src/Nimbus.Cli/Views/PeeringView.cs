using Nimbus.Cli.Output;
using Nimbus.Contracts.Network;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk;

namespace Nimbus.Cli.Views;

/// <summary>VPC peering connections: state and both sides.</summary>
internal static class PeeringView
{
    public static Table Page(PageDto<ResourceDto> page) => Many(page.Items);

    public static Table One(ResourceDto peering) => Many([peering]);

    public static Table Many(IEnumerable<ResourceDto> peerings)
    {
        var table = new Table("ID", "NAME", "STATE", "REQUESTER-VPC", "REQUESTER-CIDR", "ACCEPTER-VPC", "ACCEPTER-CIDR", "ACCEPTER-ACCOUNT", "CREATED");
        foreach (var peering in peerings)
        {
            var spec = ResourceSpecs.ReadOrNull<PeeringSpec>(peering);
            table.AddRow(
                peering.Id,
                peering.Name,
                peering.Status.Phase,
                spec?.RequesterVpcId,
                spec?.RequesterCidr,
                spec?.AccepterVpcId,
                spec?.AccepterCidr,
                spec?.AccepterAccountId,
                Cells.Time(peering.CreatedAt));
        }

        return table;
    }
}
