namespace Nimbus.Contracts.Network;

/// <summary>Body of <c>POST /v1/network/eips</c>: allocates the next free address of the installation's elastic IP pool.</summary>
public sealed record AllocateAddressRequest
{
    /// <summary>Optional. Name, unique among the account's elastic IPs (letters, digits, '.', '_', '-'); default: the id.</summary>
    public string? Name { get; init; }

    /// <summary>Optional tags (at most 50).</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
}

/// <summary>
/// Body of <c>POST /v1/network/eips/{id}/associate</c>. Give <see cref="InstanceId"/> (its primary interface) or
/// <see cref="NetworkInterfaceId"/>, exactly one.
/// </summary>
public sealed record AssociateAddressRequest
{
    /// <summary>An instance (<c>i-...</c>) of the account: the elastic IP maps to its primary private IP.</summary>
    public string? InstanceId { get; init; }

    /// <summary>A network interface (<c>eni-...</c>) of the account: the elastic IP maps to its private IP.</summary>
    public string? NetworkInterfaceId { get; init; }

    /// <summary>Optional. The private IP to map to; it must be the interface's. Default: the interface's primary private IP.</summary>
    public string? PrivateIpAddress { get; init; }

    /// <summary>
    /// Optional. True lets an elastic IP that is associated elsewhere move to the new target; default false
    /// (<c>Conflict</c> then). A target that has another elastic IP loses it either way.
    /// </summary>
    public bool? AllowReassociation { get; init; }
}

/// <summary>The <c>spec</c> of an elastic IP (kind <c>network/eip</c>).</summary>
public sealed record ElasticIpSpec
{
    /// <summary>The address of the pool it holds, e.g. <c>127.100.0.1</c>; fixed once allocated.</summary>
    public required string PublicIp { get; init; }

    /// <summary>The instance it is associated with; null while it is not associated.</summary>
    public string? InstanceId { get; init; }

    /// <summary>The interface it is associated with; null while it is not associated.</summary>
    public string? NetworkInterfaceId { get; init; }

    /// <summary>The private IP traffic to <see cref="PublicIp"/> goes to (DNAT) and the instance's outbound traffic comes from (SNAT); null while it is not associated.</summary>
    public string? PrivateIpAddress { get; init; }

    /// <summary>The NAT gateway (<c>ngw-...</c>) that uses it; null when none does. Such an elastic IP is associated and cannot be released or associated elsewhere.</summary>
    public string? NatGatewayId { get; init; }
}
