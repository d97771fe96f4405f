namespace Nimbus.Contracts.Network;

/// <summary>
/// Body of <c>POST /v1/network/nat-gateways/{id}/port-forwards</c>: connections to the gateway's elastic IP on
/// <see cref="ExternalPort"/> go to <see cref="PrivateIpAddress"/>:<see cref="PrivatePort"/> (DNAT).
/// </summary>
public sealed record CreatePortForwardRequest
{
    /// <summary>Required. <c>tcp</c> or <c>udp</c>.</summary>
    public string? Protocol { get; init; }

    /// <summary>Required. The port on the gateway's elastic IP, 1–65535; unique per protocol on one gateway.</summary>
    public int? ExternalPort { get; init; }

    /// <summary>Required. An address of a subnet of the gateway's VPC (an instance's or interface's private IP).</summary>
    public string? PrivateIpAddress { get; init; }

    /// <summary>Optional. The port on the private address, 1–65535; default: <see cref="ExternalPort"/>.</summary>
    public int? PrivatePort { get; init; }

    /// <summary>Optional. Name, unique among the gateway's port forwards; default: the id.</summary>
    public string? Name { get; init; }
}

/// <summary>One port forward (DNAT entry) of a NAT gateway, as kept in its spec and returned by the API.</summary>
public sealed record NatPortForward
{
    /// <summary>The forward's id (<c>pf-...</c>), unique on the installation.</summary>
    public required string Id { get; init; }

    /// <summary>Its name (the id when none was given).</summary>
    public required string Name { get; init; }

    /// <summary><c>tcp</c> or <c>udp</c>.</summary>
    public required string Protocol { get; init; }

    /// <summary>The gateway's elastic IP (the address connections are made to).</summary>
    public required string PublicIp { get; init; }

    public required int ExternalPort { get; init; }

    public required string PrivateIpAddress { get; init; }

    public required int PrivatePort { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}
