namespace Nimbus.Contracts.Network;

/// <summary>
/// Body of <c>POST /v1/network/nat-gateways/{id}/port-forwards</c>: connections to the gateway's elastic IP on
/// <see cref="ExternalPort"/> go to <see cref="PrivateIpAddress"/>:<see cref="PrivatePort"/> (DNAT). With
/// <see cref="ExternalPortEnd"/>, a range of ports: port <c>ExternalPort + n</c> goes to <c>PrivatePort + n</c>, so a
/// range maps to the same range (the default) or to another range of the same size.
/// </summary>
public sealed record CreatePortForwardRequest
{
    /// <summary>Required. <c>tcp</c> or <c>udp</c>.</summary>
    public string? Protocol { get; init; }

    /// <summary>Required. The port on the gateway's elastic IP, 1–65535, or the first of a range; no two forwards of one gateway and protocol share a port.</summary>
    public int? ExternalPort { get; init; }

    /// <summary>Optional. The last port of a range that starts at <see cref="ExternalPort"/> (at least it; at most 1,024 ports a range); default: <see cref="ExternalPort"/> (one port).</summary>
    public int? ExternalPortEnd { get; init; }

    /// <summary>Required. An address of a subnet of the gateway's VPC (an instance's or interface's private IP).</summary>
    public string? PrivateIpAddress { get; init; }

    /// <summary>Optional. The port on the private address, 1–65535, or the first of the range the external range maps to; default: <see cref="ExternalPort"/>.</summary>
    public int? PrivatePort { get; init; }

    /// <summary>Optional. The last port of the private range; when given it must make a range of the external range's size (<c>PrivatePort + ExternalPortEnd - ExternalPort</c>).</summary>
    public int? PrivatePortEnd { get; init; }

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

    /// <summary>The (first) external port.</summary>
    public required int ExternalPort { get; init; }

    /// <summary>The last external port of the range (equal to <see cref="ExternalPort"/> for one port; absent on forwards made before ranges existed: one port).</summary>
    public int? ExternalPortEnd { get; init; }

    public required string PrivateIpAddress { get; init; }

    /// <summary>The (first) private port: <c>ExternalPort + n</c> goes to <c>PrivatePort + n</c>.</summary>
    public required int PrivatePort { get; init; }

    /// <summary>The last private port of the range (absent on forwards made before ranges existed: one port).</summary>
    public int? PrivatePortEnd { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}
