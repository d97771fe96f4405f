using System.CommandLine;

namespace Nimbus.Cli.Commands;

/// <summary><c>nimbus network ...</c>.</summary>
internal static class NetworkCommands
{
    public static Command CreateService(CliContext context) =>
        new("network", "Networking: security groups, elastic IPs, route tables, peering")
        {
            SecurityGroupCommands.Create(context),
            ElasticIpCommands.Create(context),
            RouteTableCommands.Create(context),
            PeeringCommands.Create(context),
        };
}
