using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Nimbus.Compute.Networking.Interfaces;
using Nimbus.Contracts.Network;
using Nimbus.Contracts.Resources;
using Nimbus.Core.Api;

namespace Nimbus.Compute.Api;

/// <summary><c>/v1/network/interfaces</c>: network interfaces, their attachments and secondary addresses.</summary>
public static class NetworkInterfaceEndpoints
{
    public static void MapNetworkInterfaceEndpoints(this IEndpointRouteBuilder app, string region)
    {
        var group = app.MapGroup("/v1/network/interfaces").WithTags("network")
            .ProducesError(400).ProducesError(401).ProducesError(403).ProducesError(429);
        var collection = ResourceScope.Collection(NetworkInterfaceService.Kind, region);
        var item = ResourceScope.Item(NetworkInterfaceService.Kind, region);

        group.MapPost("", async (CreateNetworkInterfaceRequest request, HttpContext http, NetworkInterfaceService interfaces, CancellationToken ct) =>
        {
            var created = await interfaces.CreateAsync(http.Caller().Account, request, ct).ConfigureAwait(false);
            return TypedResults.Created($"/v1/network/interfaces/{created.Id}", created.ToDto());
        }).RequiresAction(NetworkInterfaceActions.CreateNetworkInterface, collection).WithIdempotency().ProducesError(404).ProducesError(409)
            .WithSummary("Create a secondary network interface in a subnet (an address of its IPAM; groups of its VPC, its default group unless named).");

        group.MapGet("", async (HttpContext http, NetworkInterfaceService interfaces, string? name, CancellationToken ct) =>
        {
            var (pageSize, token) = Paging.Read(http.Request);
            var page = await interfaces.ListAsync(http.Caller().Account, name, Paging.ReadTagFilter(http.Request), pageSize, token, ct).ConfigureAwait(false);
            return TypedResults.Ok(new PageDto<ResourceDto> { Items = [.. page.Items.Select(ResourceMapping.ToDto)], NextToken = page.NextPageToken });
        }).RequiresAction(NetworkInterfaceActions.ListNetworkInterfaces, collection).WithSummary("List the account's network interfaces (instances' primary interfaces included).");

        group.MapGet("/{id}", async (string id, HttpContext http, NetworkInterfaceService interfaces, CancellationToken ct) =>
            TypedResults.Ok((await interfaces.GetAsync(http.Caller().Account, id, ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction(NetworkInterfaceActions.GetNetworkInterface, item).ProducesError(404).WithSummary("Get a network interface by id or name.");

        group.MapDelete("/{id}", async (string id, HttpContext http, NetworkInterfaceService interfaces, CancellationToken ct) =>
        {
            await interfaces.DeleteAsync(http.Caller().Account, id, ct).ConfigureAwait(false);
            return TypedResults.NoContent();
        }).RequiresAction(NetworkInterfaceActions.DeleteNetworkInterface, item).ProducesError(404).ProducesError(409)
            .WithSummary("Delete a detached secondary interface (DependencyViolation while attached; a primary interface goes with its instance).");

        group.MapPatch("/{id}", async (string id, ModifyNetworkInterfaceRequest request, HttpContext http, NetworkInterfaceService interfaces, CancellationToken ct) =>
            TypedResults.Ok((await interfaces.ModifyAsync(http.Caller().Account, id, request, ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction(NetworkInterfaceActions.ModifyNetworkInterfaceAttribute, item).ProducesError(404)
            .WithSummary("Change an interface's security groups (1 to 5 of its VPC) or its source/destination check; running instances follow before the call returns.");

        group.MapPost("/{id}/attach", async (string id, AttachNetworkInterfaceRequest request, HttpContext http, NetworkInterfaceService interfaces, CancellationToken ct) =>
            TypedResults.Ok((await interfaces.AttachAsync(http.Caller().Account, id, request, ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction(NetworkInterfaceActions.AttachNetworkInterface, item).ProducesError(404).ProducesError(409)
            .WithSummary("Attach a secondary interface to a running or stopped instance of its VPC and zone (the next ethN).");

        group.MapPost("/{id}/detach", async (string id, HttpContext http, NetworkInterfaceService interfaces, CancellationToken ct) =>
            TypedResults.Ok((await interfaces.DetachAsync(http.Caller().Account, id, ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction(NetworkInterfaceActions.DetachNetworkInterface, item).ProducesError(404).ProducesError(409)
            .WithSummary("Detach a secondary interface; its device leaves the instance before the call returns.");

        group.MapPost("/{id}/private-ips", async (string id, AssignPrivateIpAddressesRequest request, HttpContext http, NetworkInterfaceService interfaces, CancellationToken ct) =>
            TypedResults.Ok((await interfaces.AssignAsync(http.Caller().Account, id, request, ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction(NetworkInterfaceActions.AssignPrivateIpAddresses, item).ProducesError(404).ProducesError(409)
            .WithSummary("Assign secondary private addresses of the interface's subnet (given, or the next free ones).");

        group.MapPost("/{id}/private-ips/unassign", async (string id, UnassignPrivateIpAddressesRequest request, HttpContext http, NetworkInterfaceService interfaces, CancellationToken ct) =>
            TypedResults.Ok((await interfaces.UnassignAsync(http.Caller().Account, id, request, ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction(NetworkInterfaceActions.UnassignPrivateIpAddresses, item).ProducesError(404)
            .WithSummary("Give secondary private addresses back to the subnet.");
    }
}
