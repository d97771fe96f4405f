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

        group.MapPost("/{id}/port-forwards", async (string id, CreatePortForwardRequest request, HttpContext http, NatGatewayService gateways, CancellationToken ct) =>
        {
            var forward = await gateways.AddPortForwardAsync(http.Caller().Account, id, request, ct).ConfigureAwait(false);
            return TypedResults.Created($"/v1/network/nat-gateways/{id}/port-forwards/{forward.Id}", forward);
        }).RequiresAction(NatGatewayActions.CreatePortForward, item).ProducesError(404).ProducesError(409)
            .WithSummary("Forward a tcp or udp port of the gateway's elastic IP to a private address and port of its VPC (DNAT).");

        group.MapGet("/{id}/port-forwards", async (string id, HttpContext http, NatGatewayService gateways, CancellationToken ct) =>
            TypedResults.Ok(new PageDto<NatPortForward> { Items = [.. await gateways.ListPortForwardsAsync(http.Caller().Account, id, ct).ConfigureAwait(false)] }))
            .RequiresAction(NatGatewayActions.ListPortForwards, item).ProducesError(404).WithSummary("List the gateway's port forwards.");

        group.MapDelete("/{id}/port-forwards/{forwardId}", async (string id, string forwardId, HttpContext http, NatGatewayService gateways, CancellationToken ct) =>
        {
            await gateways.RemovePortForwardAsync(http.Caller().Account, id, forwardId, ct).ConfigureAwait(false);
            return TypedResults.NoContent();
        }).RequiresAction(NatGatewayActions.DeletePortForward, item).ProducesError(404)
            .WithSummary("Remove a port forward (by id or name): new connections to its port are no longer forwarded.");
    }
}
