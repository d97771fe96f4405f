namespace Nimbus.Contracts.Network;

/// <summary>Body of <c>POST /v1/network/vpcs</c>.</summary>
public sealed record CreateVpcRequest
{
    /// <summary>Required. Name, unique among the account's VPCs (letters, digits, '.', '_', '-').</summary>
    public string? Name { get; init; }

    /// <summary>
    /// Required. IPv4 range of the VPC, /8 to /28, inside 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10,
    /// given as its network address, e.g. <c>10.10.0.0/16</c>. It may not overlap another VPC of this installation.
    /// </summary>
    public string? Cidr { get; init; }

    /// <summary>Optional tags (at most 50).</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
}

/// <summary>The <c>spec</c> of a VPC (kind <c>network/vpc</c>).</summary>
public sealed record VpcSpec
{
    /// <summary>IPv4 range, e.g. <c>10.10.0.0/16</c>; fixed once created.</summary>
    public required string Cidr { get; init; }

    /// <summary>True for the account's default VPC (made on first use), where instances run without <c>--subnet</c> go.</summary>
    public bool IsDefault { get; init; }
}
