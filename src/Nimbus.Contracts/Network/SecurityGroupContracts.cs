namespace Nimbus.Contracts.Network;

/// <summary>Body of <c>POST /v1/network/security-groups</c>.</summary>
public sealed record CreateSecurityGroupRequest
{
    /// <summary>Required. Name, unique among the account's groups (letters, digits, '.', '_', '-'; at most 64).</summary>
    public string? Name { get; init; }

    /// <summary>Optional. Free text, at most 255 characters.</summary>
    public string? Description { get; init; }

    /// <summary>Optional. The VPC the group belongs to; default: the account's default network (<c>default</c>).</summary>
    public string? VpcId { get; init; }

    /// <summary>Optional tags (at most 50).</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
}

/// <summary>
/// Body of <c>POST /v1/network/security-groups/{id}/ingress</c> and <c>.../egress</c>: one rule. A rule names a peer —
/// <see cref="Cidr"/> or <see cref="GroupId"/>, exactly one — the source for ingress, the destination for egress.
/// </summary>
public sealed record SecurityGroupRuleRequest
{
    /// <summary>Required. <c>tcp</c>, <c>udp</c>, <c>icmp</c> or <c>all</c>.</summary>
    public string? Protocol { get; init; }

    /// <summary>First port of the range (tcp, udp), 1–65535. Required for tcp and udp; not allowed for icmp and all.</summary>
    public int? FromPort { get; init; }

    /// <summary>Last port of the range, at least <see cref="FromPort"/>; default: <see cref="FromPort"/>.</summary>
    public int? ToPort { get; init; }

    /// <summary>An IPv4 CIDR block (e.g. <c>0.0.0.0/0</c>, <c>10.213.0.1/32</c>); or give <see cref="GroupId"/>.</summary>
    public string? Cidr { get; init; }

    /// <summary>Another security group (<c>sg-...</c>) of the same VPC: its members' private addresses; or give <see cref="Cidr"/>.</summary>
    public string? GroupId { get; init; }

    /// <summary>Optional. 1–32766, lower first; default 1000. At equal priority <c>drop</c> wins.</summary>
    public int? Priority { get; init; }

    /// <summary>Optional. <c>accept</c> (default) or <c>drop</c>.</summary>
    public string? Action { get; init; }

    /// <summary>Optional. Free text, at most 255 characters.</summary>
    public string? Description { get; init; }
}

/// <summary>What <c>spec</c> of a <c>network/security-group</c> resource holds.</summary>
public sealed record SecurityGroupSpec
{
    /// <summary>The VPC (today: <c>default</c>, the default network).</summary>
    public required string VpcId { get; init; }

    public string? Description { get; init; }

    /// <summary>True for the account's default group, which cannot be deleted.</summary>
    public bool IsDefault { get; init; }

    /// <summary>Ingress and egress rules, in the order they were added.</summary>
    public IReadOnlyList<SecurityGroupRule> Rules { get; init; } = [];
}

/// <summary>One rule of a security group.</summary>
public sealed record SecurityGroupRule
{
    /// <summary>The rule's id, <c>sgr-...</c>.</summary>
    public required string Id { get; init; }

    /// <summary><c>ingress</c> or <c>egress</c>.</summary>
    public required string Direction { get; init; }

    /// <summary><c>tcp</c>, <c>udp</c>, <c>icmp</c> or <c>all</c>.</summary>
    public required string Protocol { get; init; }

    /// <summary>Port range (tcp, udp); null for icmp and all.</summary>
    public int? FromPort { get; init; }

    public int? ToPort { get; init; }

    /// <summary>The peer as a CIDR block, or null when <see cref="GroupId"/> is set.</summary>
    public string? Cidr { get; init; }

    /// <summary>The peer as a security group, or null when <see cref="Cidr"/> is set.</summary>
    public string? GroupId { get; init; }

    /// <summary>1–32767, lower first; at equal priority <c>drop</c> wins.</summary>
    public int Priority { get; init; }

    /// <summary><c>accept</c> or <c>drop</c>.</summary>
    public required string Action { get; init; }

    public string? Description { get; init; }
}

/// <summary>Body of <c>POST /v1/compute/instances/{id}/security-groups</c>: the instance's groups from now on (1 to 5, replacing the old set).</summary>
public sealed record SetInstanceSecurityGroupsRequest
{
    /// <summary>Required. 1 to 5 group ids of the instance's VPC.</summary>
    public IReadOnlyList<string>? SecurityGroupIds { get; init; }
}
