using Nimbus.Cli.Output;
using Nimbus.Contracts.Network;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk;

namespace Nimbus.Cli.Views;

/// <summary>Elastic IPs: address, state and what each maps to.</summary>
internal static class ElasticIpView
{
    public static Table Page(PageDto<ResourceDto> page) => Many(page.Items);

    public static Table One(ResourceDto eip) => Many([eip]);

    public static Table Many(IEnumerable<ResourceDto> eips)
    {
        var table = new Table("ID", "NAME", "PUBLIC-IP", "STATE", "INSTANCE", "INTERFACE", "PRIVATE-IP", "TAGS", "CREATED");
        foreach (var eip in eips)
        {
            var spec = ResourceSpecs.ReadOrNull<ElasticIpSpec>(eip);
            table.AddRow(
                eip.Id,
                eip.Name,
                spec?.PublicIp,
                eip.Status.Phase,
                Cells.Text(spec?.InstanceId),
                Cells.Text(spec?.NetworkInterfaceId),
                Cells.Text(spec?.PrivateIpAddress),
                Cells.Tags(eip.Tags),
                Cells.Time(eip.CreatedAt));
        }

        return table;
    }
}
