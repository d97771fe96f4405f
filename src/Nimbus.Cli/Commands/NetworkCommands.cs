using System.CommandLine;

namespace Nimbus.Cli.Commands;

/// <summary><c>nimbus network ...</c>.</summary>
internal static class NetworkCommands
{
    public static Command CreateService(CliContext context) =>
        new("network", "Networking: VPCs, subnets, security groups, network interfaces, elastic IPs, NAT gateways, route tables, peering")
        {
            VpcCommands.Create(context),
            SubnetCommands.Create(context),
            SecurityGroupCommands.Create(context),
            ElasticIpCommands.Create(context),
            RouteTableCommands.Create(context),
            PeeringCommands.Create(context),
            NetworkInterfaceCommands.Create(context),
            NatGatewayCommands.Create(context),
        };
}
