namespace Nimbus.Compute.Networking;

/// <summary>
/// A network as the store holds it (key/value <c>network.networks</c>, keyed by network id): its range, bridge and IPAM
/// table. One record per network, changed under its key's lock in the unit of work that runs or terminates an
/// instance, so two concurrent runs never get the same address. Today there is one network, <c>default</c>; the
/// networking service turns it into the default VPC with subnets of their own.
/// </summary>
public sealed record NetworkState
{
    public required string Id { get; init; }

    /// <summary>The range, e.g. <c>10.213.0.0/16</c>; fixed once the network exists.</summary>
    public required string Cidr { get; init; }

    public required string Bridge { get; init; }

    /// <summary>Where the next search for a free address starts (an offset in the range), so that a released address is not reused at once.</summary>
    public long Cursor { get; init; }

    /// <summary>IPAM: private address → the interface holding it.</summary>
    public Dictionary<string, IpAllocation> Allocations { get; init; } = new(StringComparer.Ordinal);
}

/// <summary>One address held by an interface.</summary>
public sealed record IpAllocation
{
    public required string InterfaceId { get; init; }

    public required string InstanceId { get; init; }

    public required string Account { get; init; }
}
