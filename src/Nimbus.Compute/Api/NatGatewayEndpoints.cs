using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Nimbus.Compute.Networking.NatGateways;
using Nimbus.Contracts.Network;
using Nimbus.Contracts.Resources;
using Nimbus.Core.Api;
using Nimbus.Network;

namespace Nimbus.Compute.Api;

/// <summary><c>/v1/network/nat-gateways</c>: NAT gateways, translating routed private subnets to an elastic IP.</summary>
public static class NatGatewayEndpoints
{
    public static void MapNatGatewayEndpoints(this IEndpointRouteBuilder app, string region)
    {
        var group = app.MapGroup("/v1/network/nat-gateways").WithTags("network")
            .ProducesError(400).ProducesError(401).ProducesError(403).ProducesError(429);
        var collection = ResourceScope.Collection(NetworkKinds.NatGateway, region);
        var item = ResourceScope.Item(NetworkKinds.NatGateway, region);

        group.MapPost("", async (CreateNatGatewayRequest request, HttpContext http, NatGatewayService gateways, CancellationToken ct) =>
        {
            var created = await gateways.CreateAsync(http.Caller().Account, request, ct).ConfigureAwait(false);
            return TypedResults.Created($"/v1/network/nat-gateways/{created.Id}", created.ToDto());
        }).RequiresAction(NatGatewayActions.CreateNatGateway, collection).WithIdempotency().ProducesError(409)
            .WithSummary("Create a NAT gateway in a subnet with an unassociated elastic IP (which becomes associated to it).");

        group.MapGet("", async (HttpContext http, NatGatewayService gateways, string? name, CancellationToken ct) =>
        {
            var (pageSize, token) = Paging.Read(http.Request);
            var page = await gateways.ListAsync(http.Caller().Account, name, Paging.ReadTagFilter(http.Request), pageSize, token, ct).ConfigureAwait(false);
            return TypedResults.Ok(new PageDto<ResourceDto> { Items = [.. page.Items.Select(ResourceMapping.ToDto)], NextToken = page.NextPageToken });
        }).RequiresAction(NatGatewayActions.ListNatGateways, collection).WithSummary("List the account's NAT gateways.");

        group.MapGet("/{id}", async (string id, HttpContext http, NatGatewayService gateways, CancellationToken ct) =>
            TypedResults.Ok((await gateways.GetAsync(http.Caller().Account, id, ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction(NatGatewayActions.GetNatGateway, item).ProducesError(404).WithSummary("Get a NAT gateway by id or name.");

        group.MapDelete("/{id}", async (string id, HttpContext http, NatGatewayService gateways, CancellationToken ct) =>
        {
            await gateways.DeleteAsync(http.Caller().Account, id, ct).ConfigureAwait(false);
            return TypedResults.NoContent();
        }).RequiresAction(NatGatewayActions.DeleteNatGateway, item).ProducesError(404).ProducesError(409)
            .WithSummary("Delete a NAT gateway no route table routes to (DependencyViolation otherwise); its elastic IP is available again.");
    }
}
