using Nimbus.Contracts.Network;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk.Http;

namespace Nimbus.Sdk.Network;

/// <summary>
/// Route tables (<c>/v1/network/route-tables</c>): every VPC's main table with its local route, custom tables,
/// routes to NAT gateways, instances and peering connections, and which subnets use a table.
/// </summary>
public sealed class RouteTablesClient
{
    private const string BasePath = "/v1/network/route-tables";
    private readonly NimbusClient _client;

    internal RouteTablesClient(NimbusClient client) => _client = client;

    /// <summary>Creates a custom table of a VPC (holding the local route).</summary>
    public Task<ResourceDto> CreateAsync(CreateRouteTableRequest request, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Post, BasePath, request, new NimbusRequestOptions { IdempotencyKey = Guid.NewGuid().ToString("N") }, cancellationToken);

    /// <summary>A table by id (<c>rtb-...</c>) or name.</summary>
    public Task<ResourceDto> GetAsync(string reference, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Get, ItemPath(reference), cancellationToken: cancellationToken);

    /// <summary>One page of the account's tables, optionally of one VPC or of one name.</summary>
    public Task<PageDto<ResourceDto>> ListAsync(string? vpcId = null, string? name = null, string? nextToken = null, CancellationToken cancellationToken = default) =>
        _client.SendAsync<PageDto<ResourceDto>>(HttpMethod.Get, new PathBuilder(BasePath).Query("vpcId", vpcId).Query("name", name).Query("nextToken", nextToken).ToString(), cancellationToken: cancellationToken);

    /// <summary>Deletes a custom table no subnet uses.</summary>
    public Task DeleteAsync(string reference, CancellationToken cancellationToken = default) =>
        _client.SendAsync(HttpMethod.Delete, ItemPath(reference), cancellationToken: cancellationToken);

    /// <summary>Adds a route. Returns the table.</summary>
    public Task<ResourceDto> AddRouteAsync(string reference, CreateRouteRequest route, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Post, ItemPath(reference) + "/routes", route, cancellationToken: cancellationToken);

    /// <summary>Removes the route to <paramref name="destinationCidr"/>. Returns the table.</summary>
    public Task<ResourceDto> RemoveRouteAsync(string reference, string destinationCidr, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Delete, new PathBuilder(ItemPath(reference) + "/routes").Query("destinationCidr", destinationCidr).ToString(), cancellationToken: cancellationToken);

    /// <summary>Associates a subnet with the table (it leaves the table it used). Returns the table.</summary>
    public Task<ResourceDto> AssociateAsync(string reference, string subnetId, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Post, ItemPath(reference) + "/associations", new AssociateRouteTableRequest { SubnetId = subnetId }, cancellationToken: cancellationToken);

    /// <summary>Takes a subnet out of the table (back to its VPC's main table). Returns the table.</summary>
    public Task<ResourceDto> DisassociateAsync(string reference, string subnetId, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Delete, ItemPath(reference) + "/associations/" + PathBuilder.Segment(subnetId), cancellationToken: cancellationToken);

    /// <summary>The table's spec: VPC, main or not, routes, associated subnets.</summary>
    public static RouteTableSpec SpecOf(ResourceDto table) => ResourceSpecs.Read<RouteTableSpec>(table);

    private static string ItemPath(string reference) => BasePath + "/" + PathBuilder.Segment(reference);
}
