using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Nimbus.Compute.Networking.ElasticIps;
using Nimbus.Contracts.Network;
using Nimbus.Contracts.Resources;
using Nimbus.Core.Api;

namespace Nimbus.Compute.Api;

/// <summary><c>/v1/network/eips</c>: elastic IPs of the host-side pool, associated with instances.</summary>
public static class ElasticIpEndpoints
{
    public static void MapElasticIpEndpoints(this IEndpointRouteBuilder app, string region)
    {
        var group = app.MapGroup("/v1/network/eips").WithTags("network")
            .ProducesError(400).ProducesError(401).ProducesError(403).ProducesError(429);
        var collection = ResourceScope.Collection(ElasticIpService.Kind, region);
        var item = ResourceScope.Item(ElasticIpService.Kind, region);

        group.MapPost("", async (AllocateAddressRequest request, HttpContext http, ElasticIpService eips, CancellationToken ct) =>
        {
            var created = await eips.AllocateAsync(http.Caller().Account, request, ct).ConfigureAwait(false);
            return TypedResults.Created($"/v1/network/eips/{created.Id}", created.ToDto());
        }).RequiresAction(ElasticIpActions.AllocateAddress, collection).WithIdempotency().ProducesError(409)
            .WithSummary("Allocate an elastic IP: the next free address of the installation's pool, added to the host's device.");

        group.MapGet("", async (HttpContext http, ElasticIpService eips, string? name, CancellationToken ct) =>
        {
            var (pageSize, token) = Paging.Read(http.Request);
            var page = await eips.ListAsync(http.Caller().Account, name, Paging.ReadTagFilter(http.Request), pageSize, token, ct).ConfigureAwait(false);
            return TypedResults.Ok(new PageDto<ResourceDto> { Items = [.. page.Items.Select(ResourceMapping.ToDto)], NextToken = page.NextPageToken });
        }).RequiresAction(ElasticIpActions.ListAddresses, collection).WithSummary("List the account's elastic IPs.");

        group.MapGet("/{id}", async (string id, HttpContext http, ElasticIpService eips, CancellationToken ct) =>
            TypedResults.Ok((await eips.GetAsync(http.Caller().Account, id, ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction(ElasticIpActions.GetAddress, item).ProducesError(404).WithSummary("Get an elastic IP by id, name or address.");

        group.MapPost("/{id}/associate", async (string id, AssociateAddressRequest request, HttpContext http, ElasticIpService eips, CancellationToken ct) =>
            TypedResults.Ok((await eips.AssociateAsync(http.Caller().Account, id, request, ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction(ElasticIpActions.AssociateAddress, item).ProducesError(404).ProducesError(409)
            .WithSummary("Map the elastic IP to an instance's (or interface's) private IP: DNAT to it, SNAT of its traffic; in force when the call returns.");

        group.MapPost("/{id}/disassociate", async (string id, HttpContext http, ElasticIpService eips, CancellationToken ct) =>
            TypedResults.Ok((await eips.DisassociateAsync(http.Caller().Account, id, ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction(ElasticIpActions.DisassociateAddress, item).ProducesError(404)
            .WithSummary("Remove the elastic IP's mapping; it stays allocated to the account.");

        group.MapDelete("/{id}", async (string id, HttpContext http, ElasticIpService eips, CancellationToken ct) =>
        {
            await eips.ReleaseAsync(http.Caller().Account, id, ct).ConfigureAwait(false);
            return TypedResults.NoContent();
        }).RequiresAction(ElasticIpActions.ReleaseAddress, item).ProducesError(404).ProducesError(409)
            .WithSummary("Release an elastic IP that is not associated (DependencyViolation otherwise); the address leaves the host's device.");
    }
}
