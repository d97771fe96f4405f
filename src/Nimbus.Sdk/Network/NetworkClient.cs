namespace Nimbus.Sdk.Network;

/// <summary>The network service (<c>/v1/network</c>): VPCs, subnets, security groups and network interfaces.</summary>
public sealed class NetworkClient
{
    internal NetworkClient(NimbusClient client)
    {
        Vpcs = new VpcsClient(client);
        Subnets = new SubnetsClient(client);
        SecurityGroups = new SecurityGroupsClient(client);
        ElasticIps = new ElasticIpsClient(client);
        RouteTables = new RouteTablesClient(client);
        Peerings = new PeeringsClient(client);
        Interfaces = new NetworkInterfacesClient(client);
        NatGateways = new NatGatewaysClient(client);
    }

    /// <summary>VPCs: private address ranges, isolated from each other; the account's default VPC is made on first use.</summary>
    public VpcsClient Vpcs { get; }

    /// <summary>Subnets of VPCs, with their address usage.</summary>
    public SubnetsClient Subnets { get; }

    /// <summary>Security groups and their rules.</summary>
    public SecurityGroupsClient SecurityGroups { get; }

    /// <summary>Elastic IPs of the installation's host-side pool.</summary>
    public ElasticIpsClient ElasticIps { get; }

    /// <summary>Route tables: main and custom tables of VPCs, their routes and subnet associations.</summary>
    public RouteTablesClient RouteTables { get; }

    /// <summary>VPC peering connections: request, accept, reject, delete.</summary>
    public PeeringsClient Peerings { get; }

    /// <summary>Network interfaces: primary and secondary, attachments, secondary private addresses.</summary>
    public NetworkInterfacesClient Interfaces { get; }

    /// <summary>NAT gateways: routed private subnets reach the host's networks from an elastic IP.</summary>
    public NatGatewaysClient NatGateways { get; }
}
