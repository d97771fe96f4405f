using Nimbus.Contracts.Network;

namespace Nimbus.Compute.Node;

/// <summary>
/// The security groups of a node as its packet filter needs them: which groups each interface (by its private
/// address) is in, and every group's rules and members. The node turns it into one nftables table of its own.
/// </summary>
public sealed record FilterRuleset
{
    /// <summary>Name of the <c>inet</c> table, e.g. <c>nimbus_filter</c>.</summary>
    public required string Table { get; init; }

    /// <summary>Every filtered interface; an address not listed is not filtered (the gateway, the host's own).</summary>
    public required IReadOnlyList<FilterInterface> Interfaces { get; init; }

    /// <summary>Every group an interface is in or a rule names.</summary>
    public required IReadOnlyList<FilterGroup> Groups { get; init; }
}

/// <summary>An interface: its private address and its groups (1 to 5; their rules apply as a union).</summary>
public sealed record FilterInterface(string PrivateIpAddress, IReadOnlyList<string> GroupIds);

/// <summary>A group: its members' private addresses (for rules that name it) and its rules.</summary>
public sealed record FilterGroup(string Id, IReadOnlyList<string> Members, IReadOnlyList<SecurityGroupRule> Rules);
