namespace Nimbus.Compute.Node;

/// <summary>
/// The policy routing of one subnet on the node, for a subnet whose route table sends some destination to an
/// appliance (an instance or a network interface): traffic that comes in on <see cref="Bridge"/> from
/// <see cref="SubnetCidr"/> is looked up in a kernel routing table of its own, which mirrors the route table, so that
/// the kernel's longest-prefix match decides between the table's routes.
/// </summary>
public sealed record SubnetRouting
{
    /// <summary>The VPC's bridge the subnet's traffic comes in on.</summary>
    public required string Bridge { get; init; }

    /// <summary>The subnet's range, e.g. <c>10.10.1.0/24</c>.</summary>
    public required string SubnetCidr { get; init; }

    /// <summary>The route table (<c>rtb-...</c>) the subnet uses: subnets of one table share a kernel table.</summary>
    public required string RouteTableId { get; init; }

    /// <summary>Every route of the table, the local one included.</summary>
    public required IReadOnlyList<KernelRoute> Routes { get; init; }
}

/// <summary>
/// One route of a kernel table: <see cref="Via"/> sends the destination to an appliance's address on the bridge;
/// <see cref="Throw"/> hands the lookup back to the host's main table (local, NAT gateway and peering routes, which
/// the nftables sets decide); <see cref="Blackhole"/> drops (an appliance that holds no address any more).
/// </summary>
public sealed record KernelRoute(string Destination, string Kind, string? NextHop = null)
{
    public const string Via = "via";
    public const string Throw = "throw";
    public const string Blackhole = "blackhole";
}
