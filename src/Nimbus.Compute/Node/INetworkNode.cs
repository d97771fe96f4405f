namespace Nimbus.Compute.Node;

/// <summary>
/// The network side of a node: a Linux bridge per network, a network namespace and veth pair per interface, and one
/// Nimbus-owned nftables ruleset (NAT, the metadata redirect, anti-spoofing). Every call is idempotent, so a
/// controller may repeat it after a crash or a restart.
/// </summary>
public interface INetworkNode
{
    /// <summary>Creates the bridge with the gateway address unless it is there, brings it up and turns on IPv4 forwarding.</summary>
    Task EnsureBridgeAsync(BridgeSetup bridge, CancellationToken cancellationToken);

    /// <summary>
    /// Creates a VPC's bridge unless it is there, marks it as this installation's (<see cref="VpcBridgeSetup.Owner"/>),
    /// gives it exactly the given gateway addresses (one per subnet: addresses of deleted subnets go), brings it up
    /// and turns on IPv4 forwarding.
    /// </summary>
    Task EnsureVpcBridgeAsync(VpcBridgeSetup bridge, CancellationToken cancellationToken);

    /// <summary>Bridges marked with <paramref name="owner"/> (this installation's VPC bridges), by name.</summary>
    Task<IReadOnlyList<string>> ListVpcBridgesAsync(string owner, CancellationToken cancellationToken);

    /// <summary>Deletes a bridge (its ports are left detached); nothing to do when it is gone.</summary>
    Task RemoveBridgeAsync(string bridge, CancellationToken cancellationToken);

    /// <summary>
    /// Creates the interface's network namespace and veth pair unless they are there: the host end on the bridge,
    /// the other end in the namespace as <c>eth0</c> with the private IP and the default route. Returns the path of
    /// the namespace for the container to join.
    /// </summary>
    Task<string> EnsureInterfaceAsync(InterfaceSetup setup, CancellationToken cancellationToken);

    /// <summary>Puts the host end of the instance's veth on <paramref name="bridge"/> and brings it up (see <see cref="InterfaceSetup.Detached"/>).</summary>
    Task AttachInterfaceAsync(string bridge, string instanceId, CancellationToken cancellationToken);

    /// <summary>Creates the instance's network namespace unless it is there (the container can join it before its interface exists); returns its path.</summary>
    Task<string> EnsureNamespaceAsync(string prefix, string instanceId, CancellationToken cancellationToken);

    /// <summary>Removes the instance's veth pair and network namespace; nothing to do when they are gone.</summary>
    Task RemoveInterfaceAsync(string bridge, string instanceId, CancellationToken cancellationToken);

    /// <summary>
    /// Creates a secondary interface in a running instance's namespace unless it is there: a veth pair with the host end
    /// on the VPC's bridge and the other end as <c>eth&lt;index&gt;</c> with its addresses, and source routing (a table
    /// per device) so that replies from its addresses leave through it. Fails when the namespace does not exist.
    /// </summary>
    Task EnsureAttachedInterfaceAsync(AttachedInterfaceSetup setup, CancellationToken cancellationToken);

    /// <summary>Removes a secondary interface (its veth pair and its source routing in the namespace); nothing to do when it is gone.</summary>
    Task RemoveAttachedInterfaceAsync(AttachedInterfaceSetup setup, CancellationToken cancellationToken);

    /// <summary>Removes one address (<c>a.b.c.d/prefix</c>) from <c>eth&lt;index&gt;</c> of an instance's namespace; nothing to do when it is not there.</summary>
    Task RemoveInterfaceAddressAsync(string namespacePrefix, string instanceId, int deviceIndex, string addressWithPrefix, CancellationToken cancellationToken);

    /// <summary>Replaces the whole Nimbus ruleset of a network in one nftables transaction.</summary>
    Task ApplyRulesAsync(NetworkRuleset rules, CancellationToken cancellationToken);

    /// <summary>Path of the instance's network namespace (it may not exist).</summary>
    string NamespacePathOf(string bridge, string instanceId);

    /// <summary>veths on the bridge, network namespaces and ruleset entries of the network, by the instance they belong to (kinds <c>veth</c>, <c>netns</c>, <c>nft-rule</c>).</summary>
    Task<IReadOnlyList<NodeItem>> InventoryAsync(string bridge, string table, CancellationToken cancellationToken);
}

/// <summary>A bridge and its gateway address (the network's first address), e.g. <c>nimbus0</c>, <c>10.213.0.1/16</c>.</summary>
public sealed record BridgeSetup(string Bridge, string Gateway, int PrefixLength);

/// <summary>A VPC's bridge: its name, the marker of the installation that owns it, and every subnet's gateway with its prefix (e.g. <c>10.10.1.1/24</c>).</summary>
public sealed record VpcBridgeSetup(string Bridge, string Owner, IReadOnlyList<string> Addresses);

/// <summary>One instance's interface on a bridge.</summary>
public sealed record InterfaceSetup
{
    /// <summary>The bridge the host end of the veth joins (the legacy network's, or the VPC's).</summary>
    public required string Bridge { get; init; }

    /// <summary>What the namespace's name starts with (<c>&lt;prefix&gt;-&lt;instance-id&gt;</c>): the installation's legacy bridge name, for every network, so that namespaces stay the installation's own; the bridge when null.</summary>
    public string? NamespacePrefix { get; init; }

    public required string InstanceId { get; init; }

    public required string PrivateIpAddress { get; init; }

    public required int PrefixLength { get; init; }

    public required string Gateway { get; init; }

    public required string MacAddress { get; init; }

    /// <summary>Secondary private addresses of the interface (same prefix), added beside <see cref="PrivateIpAddress"/>.</summary>
    public IReadOnlyList<string> SecondaryAddresses { get; init; } = [];

    /// <summary>
    /// True: a pair made now keeps its host end down and off the bridge (the instance's <c>eth0</c> has no carrier: no
    /// frame in or out) until <see cref="INetworkNode.AttachInterfaceAsync"/>, called once the ruleset holds the
    /// interface. A pair found in place is left as it is.
    /// </summary>
    public bool Detached { get; init; }
}

/// <summary>A secondary interface of a running instance (<c>eth1</c>, ...), on its VPC's bridge.</summary>
public sealed record AttachedInterfaceSetup
{
    public required string Bridge { get; init; }

    /// <summary>What the instance's namespace name starts with (see <see cref="InterfaceSetup.NamespacePrefix"/>).</summary>
    public required string NamespacePrefix { get; init; }

    public required string InstanceId { get; init; }

    /// <summary>The interface (<c>eni-...</c>): the host end of its veth is named after it.</summary>
    public required string InterfaceId { get; init; }

    /// <summary>1 or more: the device is <c>eth&lt;index&gt;</c>, its routing table 100 + index.</summary>
    public required int DeviceIndex { get; init; }

    public required string PrivateIpAddress { get; init; }

    public IReadOnlyList<string> SecondaryAddresses { get; init; } = [];

    public required int PrefixLength { get; init; }

    /// <summary>The subnet's range, e.g. <c>10.10.2.0/24</c> (the on-link route of the device's table).</summary>
    public required string SubnetCidr { get; init; }

    public required string Gateway { get; init; }

    public required string MacAddress { get; init; }
}

/// <summary>
/// Everything the node's Nimbus ruleset holds: every network (the legacy default network and each VPC with a bridge on
/// the node), every interface's anti-spoofing entry and the security groups; the node turns it into one nftables table
/// per family, replaced in one transaction.
/// </summary>
public sealed record NetworkRuleset
{
    /// <summary>Name of Nimbus's tables (<c>inet</c> for NAT and isolation, <c>bridge</c> for anti-spoofing).</summary>
    public required string Table { get; init; }

    /// <summary>The metadata service's address on the host (the legacy bridge's gateway): 169.254.169.254:80 from every network is redirected there.</summary>
    public required string MetadataAddress { get; init; }

    /// <summary>Host port of the metadata service on <see cref="MetadataAddress"/>; null while it does not listen.</summary>
    public int? MetadataPort { get; init; }

    /// <summary>Every network with a bridge on the node. Traffic between two of them is dropped (VPCs are isolated at L3).</summary>
    public required IReadOnlyList<RulesetNetwork> Networks { get; init; }

    /// <summary>
    /// Traffic between two networks that peering lets through although their bridges are not linked: (source block,
    /// destination block) pairs, each direction on its own (a reply needs the other side's route).
    /// </summary>
    public IReadOnlyList<(string Source, string Destination)> PeeredFlows { get; init; } = [];

    /// <summary>
    /// Traffic that NAT gateways translate: (source subnet, destination block, elastic IP). Such traffic leaves an
    /// isolated VPC towards the host's networks (and the host's own addresses other than its gateways), from the elastic IP.
    /// </summary>
    public IReadOnlyList<(string Source, string Destination, string ElasticIp)> NatFlows { get; init; } = [];

    /// <summary>Every live interface: its host-side veth and the only source address it may use.</summary>
    public required IReadOnlyList<RulesetInterface> Interfaces { get; init; }

    /// <summary>Policy routing of the subnets whose route table sends a destination to an appliance; the others have none.</summary>
    public IReadOnlyList<SubnetRouting> SubnetRoutes { get; init; } = [];

    /// <summary>Security groups: their own table, replaced in the same transaction; null leaves traffic unfiltered.</summary>
    public FilterRuleset? Filter { get; init; }

    /// <summary>Elastic IPs (DNAT and SNAT): their own table, replaced in the same transaction; null leaves none.</summary>
    public EdgeRuleset? Edge { get; init; }
}

/// <summary>
/// One network's bridge and what it may reach. Future entries (routes, peerings, NAT gateways, elastic IPs) go here
/// or beside <see cref="NetworkRuleset.Networks"/>.
/// </summary>
public sealed record RulesetNetwork
{
    /// <summary>The VPC id, or <c>default</c> for the legacy network.</summary>
    public required string Id { get; init; }

    public required string Bridge { get; init; }

    /// <summary>The network's range, e.g. <c>10.10.0.0/16</c>.</summary>
    public required string Cidr { get; init; }

    /// <summary>
    /// True: traffic to anything outside Nimbus's bridges is masqueraded to the host's address (the legacy network
    /// and default VPCs). False: it is dropped (a VPC reaches nothing beyond itself, the host and the metadata service).
    /// </summary>
    public required bool Masquerade { get; init; }
}

/// <summary>An address of an interface as the ruleset sees it: the primary interface of <see cref="InstanceId"/>, or the secondary interface <see cref="InterfaceId"/> attached to it.</summary>
public sealed record RulesetInterface(string InstanceId, string PrivateIpAddress)
{
    /// <summary>The secondary interface (<c>eni-...</c>) whose veth carries the address; null for the instance's primary interface.</summary>
    public string? InterfaceId { get; init; }

    /// <summary>False when the interface may send from other addresses than its own (an appliance's source/destination check is off).</summary>
    public bool SourceDestCheck { get; init; } = true;
}
