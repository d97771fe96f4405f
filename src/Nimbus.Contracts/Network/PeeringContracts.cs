namespace Nimbus.Contracts.Network;

/// <summary>Body of <c>POST /v1/network/peerings</c>: a request to peer one of the caller's VPCs with another VPC.</summary>
public sealed record CreatePeeringRequest
{
    /// <summary>Required. The caller's VPC (<c>vpc-...</c> or <c>default</c>): the requester side.</summary>
    public string? VpcId { get; init; }

    /// <summary>Required. The other VPC (<c>vpc-...</c>): the accepter side. Its range may not overlap the requester's.</summary>
    public string? PeerVpcId { get; init; }

    /// <summary>Optional. The account of <see cref="PeerVpcId"/>; default: the caller's. Either way the accepter accepts (or rejects) the request.</summary>
    public string? PeerAccountId { get; init; }

    /// <summary>Optional. Name, unique among the requester's peerings; default: the id.</summary>
    public string? Name { get; init; }
}

/// <summary>The <c>spec</c> of a VPC peering connection (kind <c>network/vpc-peering</c>, owned by the requester's account).</summary>
public sealed record PeeringSpec
{
    public required string RequesterVpcId { get; init; }

    public required string RequesterAccountId { get; init; }

    public required string RequesterCidr { get; init; }

    public required string AccepterVpcId { get; init; }

    public required string AccepterAccountId { get; init; }

    public required string AccepterCidr { get; init; }
}
