using System.CommandLine;

namespace Nimbus.Cli.Commands;

/// <summary><c>nimbus network ...</c>.</summary>
internal static class NetworkCommands
{
    public static Command CreateService(CliContext context) =>
        new("network", "Networking: VPCs, subnets, security groups, network interfaces")
        {
            VpcCommands.Create(context),
            SubnetCommands.Create(context),
            SecurityGroupCommands.Create(context),
            NetworkInterfaceCommands.Create(context),
        };
}
