using System.CommandLine;

namespace Nimbus.Cli.Commands;

/// <summary><c>nimbus network ...</c>.</summary>
internal static class NetworkCommands
{
    public static Command CreateService(CliContext context) =>
        new("network", "Networking: security groups, network interfaces")
        {
            SecurityGroupCommands.Create(context),
            NetworkInterfaceCommands.Create(context),
        };
}
