namespace Nimbus.Contracts.Network;

/// <summary>Body of <c>POST /v1/network/subnets</c>.</summary>
public sealed record CreateSubnetRequest
{
    /// <summary>Required. The VPC (<c>vpc-...</c>) the subnet belongs to.</summary>
    public string? VpcId { get; init; }

    /// <summary>
    /// Required. IPv4 range inside the VPC's, from the VPC's prefix length to /28, overlapping no other subnet of the
    /// VPC, e.g. <c>10.10.1.0/24</c>. Its network, first (gateway) and last (broadcast) addresses are reserved.
    /// </summary>
    public string? Cidr { get; init; }

    /// <summary>Optional. Availability zone, e.g. <c>local-a</c> (see the VPC's region); default: the region's first zone.</summary>
    public string? Zone { get; init; }

    /// <summary>Optional. Name, unique among the account's subnets; default: the subnet id.</summary>
    public string? Name { get; init; }

    /// <summary>Optional tags (at most 50).</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
}

/// <summary>The <c>spec</c> of a subnet (kind <c>network/subnet</c>).</summary>
public sealed record SubnetSpec
{
    /// <summary>The VPC (<c>vpc-...</c>).</summary>
    public required string VpcId { get; init; }

    /// <summary>IPv4 range, e.g. <c>10.10.1.0/24</c>; fixed once created.</summary>
    public required string Cidr { get; init; }

    /// <summary>Availability zone, e.g. <c>local-a</c>.</summary>
    public required string Zone { get; init; }

    /// <summary>True for the default subnet of a zone in the default VPC.</summary>
    public bool IsDefault { get; init; }
}

/// <summary>The <c>status.details</c> of a subnet: its addresses and how many are in use (computed when read).</summary>
public sealed record SubnetDetailsDto
{
    /// <summary>The gateway: the first address after the network address (the instances' default route).</summary>
    public required string Gateway { get; init; }

    /// <summary>Addresses interfaces may get: the block less network, gateway and broadcast.</summary>
    public long UsableIpAddressCount { get; init; }

    /// <summary>Addresses held by interfaces now.</summary>
    public long UsedIpAddressCount { get; init; }

    /// <summary>Addresses still free.</summary>
    public long AvailableIpAddressCount { get; init; }
}

/// <summary>Answer of <c>GET /v1/network/subnets/{id}/addresses</c>: who holds each address of a subnet.</summary>
public sealed record SubnetAddressesDto
{
    /// <summary>The subnet.</summary>
    public required string SubnetId { get; init; }

    /// <summary>Held addresses in address order.</summary>
    public IReadOnlyList<SubnetAddressDto> Addresses { get; init; } = [];
}

/// <summary>One private address held in a subnet.</summary>
public sealed record SubnetAddressDto
{
    /// <summary>The address, e.g. <c>10.10.1.4</c>.</summary>
    public required string Address { get; init; }

    /// <summary>The network interface holding it (<c>eni-...</c>).</summary>
    public required string InterfaceId { get; init; }

    /// <summary>The instance the interface belongs to, or null for an unattached interface.</summary>
    public string? InstanceId { get; init; }
}
