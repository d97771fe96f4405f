namespace Nimbus.Network.Addressing;

/// <summary>
/// IPAM of one subnet (key/value <c>network.ipam</c>, keyed by subnet id): which interface holds which address.
/// Changed under the key's lock in the unit of work that creates or removes the interface, so two concurrent runs
/// never get the same address.
/// </summary>
public sealed record SubnetAddresses
{
    public const string Namespace = "network.ipam";

    /// <summary>The subnet's range.</summary>
    public required string Cidr { get; init; }

    /// <summary>Where the next search for a free address starts (an offset among the usable addresses), so a released address is not reused at once.</summary>
    public long Cursor { get; init; }

    /// <summary>Private address → the interface holding it.</summary>
    public Dictionary<string, AddressHolder> Allocations { get; init; } = new(StringComparer.Ordinal);
}

/// <summary>The interface holding an address, and the instance it belongs to (null while it is not attached).</summary>
public sealed record AddressHolder(string InterfaceId, string? InstanceId, string Account)
{
    /// <summary>The interface's device index in its instance (0: the primary, <c>eth0</c>); meaningless while not attached.</summary>
    public int DeviceIndex { get; init; }
}
