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
    /// Creates the interface's network namespace and veth pair unless they are there: the host end on the bridge,
    /// the other end in the namespace as <c>eth0</c> with the private IP and the default route. Returns the path of
    /// the namespace for the container to join.
    /// </summary>
    Task<string> EnsureInterfaceAsync(InterfaceSetup setup, CancellationToken cancellationToken);

    /// <summary>Removes the instance's veth pair and network namespace; nothing to do when they are gone.</summary>
    Task RemoveInterfaceAsync(string bridge, string instanceId, CancellationToken cancellationToken);

    /// <summary>Replaces the whole Nimbus ruleset of a network in one nftables transaction.</summary>
    Task ApplyRulesAsync(NetworkRuleset rules, CancellationToken cancellationToken);

    /// <summary>Path of the instance's network namespace (it may not exist).</summary>
    string NamespacePathOf(string bridge, string instanceId);

    /// <summary>veths on the bridge, network namespaces and ruleset entries of the network, by the instance they belong to (kinds <c>veth</c>, <c>netns</c>, <c>nft-rule</c>).</summary>
    Task<IReadOnlyList<NodeItem>> InventoryAsync(string bridge, string table, CancellationToken cancellationToken);
}

/// <summary>A bridge and its gateway address (the network's first address), e.g. <c>nimbus0</c>, <c>10.213.0.1/16</c>.</summary>
public sealed record BridgeSetup(string Bridge, string Gateway, int PrefixLength);

/// <summary>One instance's interface on a bridge.</summary>
public sealed record InterfaceSetup
{
    public required string Bridge { get; init; }

    public required string InstanceId { get; init; }

    public required string PrivateIpAddress { get; init; }

    public required int PrefixLength { get; init; }

    public required string Gateway { get; init; }

    public required string MacAddress { get; init; }
}

/// <summary>Everything the ruleset of a network holds; the node turns it into one nftables table per family.</summary>
public sealed record NetworkRuleset
{
    /// <summary>Name of Nimbus's tables (<c>inet</c> for NAT, <c>bridge</c> for anti-spoofing).</summary>
    public required string Table { get; init; }

    public required string Bridge { get; init; }

    /// <summary>The network's range, e.g. <c>10.213.0.0/16</c>: masqueraded towards every other destination.</summary>
    public required string Cidr { get; init; }

    public required string Gateway { get; init; }

    /// <summary>Host port of the metadata service on the gateway address; null while it does not listen.</summary>
    public int? MetadataPort { get; init; }

    /// <summary>Every live interface: its host-side veth and the only source address it may use.</summary>
    public required IReadOnlyList<RulesetInterface> Interfaces { get; init; }

    /// <summary>Security groups: their own table, replaced in the same transaction; null leaves traffic unfiltered.</summary>
    public FilterRuleset? Filter { get; init; }

    /// <summary>Elastic IPs (DNAT and SNAT): their own table, replaced in the same transaction; null leaves none.</summary>
    public EdgeRuleset? Edge { get; init; }
}

/// <summary>An interface as the ruleset sees it.</summary>
public sealed record RulesetInterface(string InstanceId, string PrivateIpAddress);
