using System.CommandLine;

namespace Nimbus.Cli.Commands;

/// <summary><c>nimbus network ...</c>.</summary>
internal static class NetworkCommands
{
    public static Command CreateService(CliContext context) =>
        new("network", "Networking: security groups, elastic IPs")
        {
            SecurityGroupCommands.Create(context),
            ElasticIpCommands.Create(context),
        };
}
