namespace Nimbus.Contracts.Network;

/// <summary>Body of <c>POST /v1/network/interfaces</c>: a secondary interface in a subnet, not attached.</summary>
public sealed record CreateNetworkInterfaceRequest
{
    /// <summary>Required. The subnet (<c>subnet-...</c>) whose IPAM gives the interface its address.</summary>
    public string? SubnetId { get; init; }

    /// <summary>Optional. A usable address of the subnet; default: the next free one.</summary>
    public string? PrivateIpAddress { get; init; }

    /// <summary>Optional. 1 to 5 security groups (ids or names) of the subnet's VPC; default: the VPC's default group.</summary>
    public IReadOnlyList<string>? SecurityGroupIds { get; init; }

    /// <summary>Optional. Name, unique among the account's interfaces; default: the interface id.</summary>
    public string? Name { get; init; }

    /// <summary>Optional. Free text, at most 255 characters.</summary>
    public string? Description { get; init; }

    /// <summary>Optional tags (at most 50).</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
}

/// <summary>Body of <c>POST /v1/network/interfaces/{id}/attach</c>.</summary>
public sealed record AttachNetworkInterfaceRequest
{
    /// <summary>Required. A running or stopped instance (<c>i-...</c>) in the interface's VPC and zone.</summary>
    public string? InstanceId { get; init; }
}

/// <summary>Body of <c>POST /v1/network/interfaces/{id}/private-ips</c>: give the interface more addresses of its subnet.</summary>
public sealed record AssignPrivateIpAddressesRequest
{
    /// <summary>Addresses of the subnet to take; or give <see cref="SecondaryPrivateIpAddressCount"/>.</summary>
    public IReadOnlyList<string>? PrivateIpAddresses { get; init; }

    /// <summary>How many of the subnet's next free addresses to take (1 to 10); or give <see cref="PrivateIpAddresses"/>.</summary>
    public int? SecondaryPrivateIpAddressCount { get; init; }
}

/// <summary>Body of <c>POST /v1/network/interfaces/{id}/private-ips/unassign</c>.</summary>
public sealed record UnassignPrivateIpAddressesRequest
{
    /// <summary>Required. Secondary addresses of the interface to give back to the subnet.</summary>
    public IReadOnlyList<string>? PrivateIpAddresses { get; init; }
}

/// <summary>
/// Body of <c>PATCH /v1/network/interfaces/{id}</c>: changes the interface's attributes. Give at least one; what is not
/// given stays as it is.
/// </summary>
public sealed record ModifyNetworkInterfaceRequest
{
    /// <summary>Optional. 1 to 5 security groups (ids or names) of the interface's VPC, replacing its groups (for a primary interface: its instance's).</summary>
    public IReadOnlyList<string>? SecurityGroupIds { get; init; }

    /// <summary>
    /// Optional. True: the interface may send only from its own addresses (the default). False: it may send traffic of
    /// other sources too, as an appliance (a router, a firewall, a NAT instance) that a route targets must.
    /// </summary>
    public bool? SourceDestCheck { get; init; }
}

/// <summary>The <c>spec</c> of a network interface (kind <c>network/interface</c>).</summary>
public sealed record NetworkInterfaceSpec
{
    public required string VpcId { get; init; }

    public required string SubnetId { get; init; }

    public required string Zone { get; init; }

    /// <summary>The interface's own address, fixed while it exists.</summary>
    public required string PrivateIpAddress { get; init; }

    /// <summary>The subnet's prefix length, e.g. 24.</summary>
    public required int PrefixLength { get; init; }

    /// <summary>The subnet's gateway (an address of the VPC's bridge).</summary>
    public required string Gateway { get; init; }

    public required string MacAddress { get; init; }

    /// <summary>More addresses of the subnet on the same interface.</summary>
    public IReadOnlyList<string> SecondaryPrivateIpAddresses { get; init; } = [];

    /// <summary>The interface's groups (for the primary interface: its instance's).</summary>
    public IReadOnlyList<string> SecurityGroupIds { get; init; } = [];

    public string? Description { get; init; }

    /// <summary>
    /// False when the interface may send from addresses not its own (an appliance); true or absent (interfaces made
    /// before the attribute existed): only from its own addresses.
    /// </summary>
    public bool? SourceDestCheck { get; init; }

    /// <summary>True for an instance's primary interface (<c>eth0</c>): made and deleted with it, never detached.</summary>
    public bool Primary { get; init; }

    /// <summary>Where it is attached; null while it is not.</summary>
    public NetworkInterfaceAttachment? Attachment { get; init; }
}

/// <summary>An interface's attachment: the instance and the device index (<c>eth&lt;index&gt;</c> inside it; 0 is the primary).</summary>
public sealed record NetworkInterfaceAttachment
{
    public required string InstanceId { get; init; }

    public required int DeviceIndex { get; init; }
}
