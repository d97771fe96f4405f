using System.Globalization;
using Nimbus.Cli.Output;
using Nimbus.Contracts.Network;
using Nimbus.Contracts.Resources;

namespace Nimbus.Cli.Views;

/// <summary>A NAT gateway's port forwards: which port (or range) of its elastic IP goes to which private address and port (or range).</summary>
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
                Ports(forward.ExternalPort, forward.ExternalPortEnd),
                forward.PrivateIpAddress,
                Ports(forward.PrivatePort, forward.PrivatePortEnd),
                Cells.Time(forward.CreatedAt));
        }

        return table;
    }

    /// <summary><c>8080</c>, or <c>8000-8010</c> for a range.</summary>
    private static string Ports(int first, int? last) =>
        last is { } end && end != first ? string.Create(CultureInfo.InvariantCulture, $"{first}-{end}") : first.ToString(CultureInfo.InvariantCulture);
}
