namespace Nimbus.Compute.Node;

/// <summary>
/// The edge of a node's networks as its NAT needs it: the elastic IPs of the pool and the private address each maps
/// to. The node turns it into one <c>inet</c> table of its own and keeps the pool's addresses on the pool's device,
/// adding the allocated ones and removing the rest.
/// </summary>
public sealed record EdgeRuleset
{
    /// <summary>Name of the <c>inet</c> table, e.g. <c>nimbus_edge</c>.</summary>
    public required string Table { get; init; }

    /// <summary>The elastic IP pool, e.g. <c>127.100.0.0/24</c>: addresses of it on <see cref="Device"/> that are not allocated are removed.</summary>
    public required string Pool { get; init; }

    /// <summary>Host interface the allocated addresses are on, e.g. <c>lo</c>.</summary>
    public required string Device { get; init; }

    /// <summary>The bridges instances are on (traffic from them to 127.0.0.0/8 is dropped; loopback elastic IPs need <c>route_localnet</c> on them).</summary>
    public required IReadOnlyList<string> Bridges { get; init; }

    /// <summary>Ranges of the instance networks: traffic between them is never translated.</summary>
    public required IReadOnlyList<string> InternalCidrs { get; init; }

    /// <summary>NAT gateways' flows: (source subnet, destination block, elastic IP), translated to the elastic IP.</summary>
    public IReadOnlyList<(string Source, string Destination, string ElasticIp)> NatFlows { get; init; } = [];

    /// <summary>NAT gateways' port forwards whose private address an interface on the node holds: DNAT from the elastic IP's port.</summary>
    public IReadOnlyList<PortForwardMapping> PortForwards { get; init; } = [];

    /// <summary>Every allocated elastic IP; <see cref="ElasticIpMapping.PrivateIpAddress"/> is null for one not associated.</summary>
    public required IReadOnlyList<ElasticIpMapping> ElasticIps { get; init; }
}

/// <summary>An elastic IP and the private address it maps to (null while it is not associated).</summary>
public sealed record ElasticIpMapping(string PublicIp, string? PrivateIpAddress);

/// <summary>A port forward of a NAT gateway: <c>tcp</c> or <c>udp</c> to <see cref="PublicIp"/>:<see cref="ExternalPort"/> goes to <see cref="PrivateIpAddress"/>:<see cref="PrivatePort"/>.</summary>
public sealed record PortForwardMapping(string Protocol, string PublicIp, int ExternalPort, string PrivateIpAddress, int PrivatePort);
