namespace Nimbus.Network;

/// <summary>The resource kinds of the network service and their id prefixes.</summary>
public static class NetworkKinds
{
    public const string Vpc = "network/vpc";
    public const string VpcPrefix = "vpc";
    public const string Subnet = "network/subnet";
    public const string SubnetPrefix = "subnet";
    public const string InterfacePrefix = "eni";
}
