namespace Nimbus.Network.Addressing;

/// <summary>
/// Every VPC's range on this installation (key/value <c>network.registry</c>, key <c>vpcs</c>), changed under that
/// key's lock in the unit of work that creates or deletes a VPC, so that two concurrent creates never get overlapping
/// ranges. VPC ranges do not overlap across accounts: the host routes every VPC through one routing table and the
/// metadata service knows an instance by its source address.
/// </summary>
public sealed record VpcRegistry
{
    public const string Namespace = "network.registry";
    public const string Key = "vpcs";

    /// <summary>VPC id → its account and range.</summary>
    public Dictionary<string, RegisteredVpc> Vpcs { get; init; } = new(StringComparer.Ordinal);
}

/// <summary>One VPC in the registry.</summary>
public sealed record RegisteredVpc(string Account, string Cidr);
