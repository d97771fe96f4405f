using System.Globalization;
using Nimbus.Cli.Output;
using Nimbus.Contracts.Network;
using Nimbus.Contracts.Resources;

namespace Nimbus.Cli.Views;

/// <summary>A NAT gateway's port forwards: which port of its elastic IP goes to which private address and port.</summary>
internal static class PortForwardView
{
    public static Table Page(PageDto<NatPortForward> page) => Many(page.Items);

    public static Table One(NatPortForward forward) => Many([forward]);

    public static Table Many(IEnumerable<NatPortForward> forwards)
    {
        var table = new Table("ID", "NAME", "PROTOCOL", "PUBLIC-IP", "EXTERNAL-PORT", "PRIVATE-IP", "PRIVATE-PORT", "CREATED");
        foreach (var forward in forwards)
        {
            table.AddRow(
                forward.Id,
                forward.Name,
                forward.Protocol,
                forward.PublicIp,
                forward.ExternalPort.ToString(CultureInfo.InvariantCulture),
                forward.PrivateIpAddress,
                forward.PrivatePort.ToString(CultureInfo.InvariantCulture),
                Cells.Time(forward.CreatedAt));
        }

        return table;
    }
}
