namespace Nimbus.Contracts.Network;

/// <summary>Body of <c>POST /v1/network/route-tables</c>: a custom route table of a VPC, holding its local route.</summary>
public sealed record CreateRouteTableRequest
{
    /// <summary>Required. The VPC (<c>vpc-...</c> or <c>default</c>).</summary>
    public string? VpcId { get; init; }

    /// <summary>Optional. Name, unique among the account's route tables; default: the id.</summary>
    public string? Name { get; init; }

    /// <summary>Optional tags (at most 50).</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
}

/// <summary>
/// Body of <c>POST /v1/network/route-tables/{id}/routes</c>: one route. Give exactly one target:
/// <see cref="NatGatewayId"/>, <see cref="InstanceId"/>, <see cref="NetworkInterfaceId"/> or <see cref="PeeringId"/>, of
/// the table's VPC.
/// </summary>
public sealed record CreateRouteRequest
{
    /// <summary>Required. IPv4 CIDR block the route sends, e.g. <c>0.0.0.0/0</c>; not inside the VPC's range (the local route has it).</summary>
    public string? DestinationCidr { get; init; }

    /// <summary>A NAT gateway (<c>ngw-...</c>) in a subnet of the VPC.</summary>
    public string? NatGatewayId { get; init; }

    /// <summary>An instance (<c>i-...</c>) of the VPC: an appliance that forwards the traffic; the next hop is its primary interface's address.</summary>
    public string? InstanceId { get; init; }

    /// <summary>A network interface (<c>eni-...</c>) of the VPC: the next hop is its address, on the instance it is attached to.</summary>
    public string? NetworkInterfaceId { get; init; }

    /// <summary>An active VPC peering connection (<c>pcx-...</c>) of the VPC.</summary>
    public string? PeeringId { get; init; }
}

/// <summary>Body of <c>POST /v1/network/route-tables/{id}/associations</c>.</summary>
public sealed record AssociateRouteTableRequest
{
    /// <summary>Required. A subnet of the table's VPC; it leaves the table it used before (the main table unless associated).</summary>
    public string? SubnetId { get; init; }
}

/// <summary>The <c>spec</c> of a route table (kind <c>network/route-table</c>).</summary>
public sealed record RouteTableSpec
{
    public required string VpcId { get; init; }

    /// <summary>True for the VPC's main table: subnets associated with no other table use it; it goes with its VPC.</summary>
    public bool IsMain { get; init; }

    /// <summary>Routes, the local route first; a packet takes the route with the longest matching prefix.</summary>
    public IReadOnlyList<RouteDto> Routes { get; init; } = [];

    /// <summary>Subnets explicitly associated with the table.</summary>
    public IReadOnlyList<string> SubnetIds { get; init; } = [];
}

/// <summary>One route of a route table.</summary>
public sealed record RouteDto
{
    /// <summary>IPv4 CIDR block, e.g. <c>0.0.0.0/0</c>.</summary>
    public required string DestinationCidr { get; init; }

    /// <summary><c>local</c>, <c>nat-gateway</c>, <c>instance</c>, <c>network-interface</c> or <c>peering</c>.</summary>
    public required string TargetType { get; init; }

    /// <summary><c>local</c> or the target's id.</summary>
    public required string Target { get; init; }

    /// <summary>
    /// In answers only (never stored, ignored in requests): <c>active</c> while the route's traffic reaches its target,
    /// <c>blackhole</c> while the target is gone and the route drops it (a NAT gateway deleted or failed, an appliance
    /// instance terminated, an interface detached, a peering deleted or no longer active). Decided on every read from
    /// what the data path is built from, so a route whose target comes back (an interface attached again) is
    /// <c>active</c> again.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? State { get; init; }
}
