namespace Nimbus.Network;

/// <summary>The resource kinds of the network service and their id prefixes.</summary>
public static class NetworkKinds
{
    public const string Vpc = "network/vpc";
    public const string VpcPrefix = "vpc";
    public const string Subnet = "network/subnet";
    public const string SubnetPrefix = "subnet";
    public const string InterfacePrefix = "eni";
    public const string RouteTable = "network/route-table";
    public const string RouteTablePrefix = "rtb";
    public const string NatGateway = "network/nat-gateway";
    public const string NatGatewayPrefix = "ngw";
    public const string Peering = "network/vpc-peering";
    public const string PeeringPrefix = "pcx";
}
