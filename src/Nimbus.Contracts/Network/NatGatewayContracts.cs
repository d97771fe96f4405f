namespace Nimbus.Contracts.Network;

/// <summary>Body of <c>POST /v1/network/nat-gateways</c>: a NAT gateway in a subnet, with an elastic IP of the account.</summary>
public sealed record CreateNatGatewayRequest
{
    /// <summary>The subnet (<c>subnet-...</c>) of the account the gateway is in; it serves every subnet of that VPC whose route table routes to it.</summary>
    public string? SubnetId { get; init; }

    /// <summary>An allocated, unassociated elastic IP of the account (id, name or address): the source of the translated traffic.</summary>
    public string? AllocationId { get; init; }

    /// <summary>Optional. Name, unique among the account's NAT gateways; default: the id.</summary>
    public string? Name { get; init; }

    /// <summary>Optional tags (at most 50).</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
}

/// <summary>The <c>spec</c> of a NAT gateway (kind <c>network/nat-gateway</c>).</summary>
public sealed record NatGatewaySpec
{
    public required string SubnetId { get; init; }

    public required string VpcId { get; init; }

    /// <summary>The elastic IP's allocation id (<c>eipalloc-...</c>).</summary>
    public required string AllocationId { get; init; }

    /// <summary>The elastic IP's address: translated traffic leaves from it.</summary>
    public required string PublicIp { get; init; }

    /// <summary>Port forwards (DNAT entries) from the elastic IP, in the order they were added; null or empty for none.</summary>
    public IReadOnlyList<NatPortForward>? PortForwards { get; init; }
}
