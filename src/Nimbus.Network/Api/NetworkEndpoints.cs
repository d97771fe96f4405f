using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Nimbus.Contracts.Network;
using Nimbus.Contracts.Resources;
using Nimbus.Core.Api;
using Nimbus.Network.Peerings;
using Nimbus.Network.RouteTables;
using Nimbus.Network.Subnets;
using Nimbus.Network.Vpcs;

namespace Nimbus.Network.Api;

/// <summary><c>/v1/network</c>: VPCs and subnets.</summary>
public static class NetworkEndpoints
{
    public static void MapNetworkEndpoints(this IEndpointRouteBuilder app, string region)
    {
        MapVpcs(app, region);
        MapSubnets(app, region);
        MapRouteTables(app, region);
        MapPeerings(app, region);
    }

    private static void MapPeerings(IEndpointRouteBuilder app, string region)
    {
        var group = app.MapGroup("/v1/network/peerings").WithTags("network")
            .ProducesError(400).ProducesError(401).ProducesError(403).ProducesError(429);
        var collection = ResourceScope.Collection(NetworkKinds.Peering, region);
        var item = ResourceScope.Item(NetworkKinds.Peering, region);

        group.MapPost("", async (CreatePeeringRequest request, HttpContext http, PeeringService peerings, CancellationToken ct) =>
        {
            var created = await peerings.CreateAsync(http.Caller().Account, request, ct).ConfigureAwait(false);
            return TypedResults.Created($"/v1/network/peerings/{created.Id}", created.ToDto());
        }).RequiresAction(NetworkActions.CreatePeering, collection).WithIdempotency().ProducesError(409)
            .WithSummary("Request a peering of one of your VPCs with another VPC (yours or another account's); it waits for the accepter.");

        group.MapGet("", async (HttpContext http, PeeringService peerings, CancellationToken ct) =>
            TypedResults.Ok(new PageDto<ResourceDto> { Items = [.. (await peerings.ListAsync(http.Caller().Account, ct).ConfigureAwait(false)).Select(ResourceMapping.ToDto)] }))
            .RequiresAction(NetworkActions.ListPeerings, collection).WithSummary("List the peerings your account requested or is asked to accept.");

        group.MapGet("/{id}", async (string id, HttpContext http, PeeringService peerings, CancellationToken ct) =>
            TypedResults.Ok((await peerings.GetAsync(http.Caller().Account, id, ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction(NetworkActions.GetPeering, item).ProducesError(404).WithSummary("Get a peering your account is a side of.");

        group.MapPost("/{id}/accept", async (string id, HttpContext http, PeeringService peerings, CancellationToken ct) =>
            TypedResults.Ok((await peerings.AnswerAsync(http.Caller().Account, id, accept: true, ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction(NetworkActions.AcceptPeering, item).ProducesError(404).ProducesError(409).WithSummary("Accept a pending peering (the accepter's account only).");

        group.MapPost("/{id}/reject", async (string id, HttpContext http, PeeringService peerings, CancellationToken ct) =>
            TypedResults.Ok((await peerings.AnswerAsync(http.Caller().Account, id, accept: false, ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction(NetworkActions.RejectPeering, item).ProducesError(404).ProducesError(409).WithSummary("Reject a pending peering (the accepter's account only).");

        group.MapDelete("/{id}", async (string id, HttpContext http, PeeringService peerings, CancellationToken ct) =>
        {
            await peerings.DeleteAsync(http.Caller().Account, id, ct).ConfigureAwait(false);
            return TypedResults.NoContent();
        }).RequiresAction(NetworkActions.DeletePeering, item).ProducesError(404).WithSummary("Delete a peering (either side).");
    }

    private static void MapRouteTables(IEndpointRouteBuilder app, string region)
    {
        var group = app.MapGroup("/v1/network/route-tables").WithTags("network")
            .ProducesError(400).ProducesError(401).ProducesError(403).ProducesError(429);
        var collection = ResourceScope.Collection(NetworkKinds.RouteTable, region);
        var item = ResourceScope.Item(NetworkKinds.RouteTable, region);

        group.MapPost("", async (CreateRouteTableRequest request, HttpContext http, RouteTableService tables, CancellationToken ct) =>
        {
            var created = await tables.CreateAsync(http.Caller().Account, request, ct).ConfigureAwait(false);
            return TypedResults.Created($"/v1/network/route-tables/{created.Id}", (await tables.WithRouteStatesAsync(created, ct).ConfigureAwait(false)).ToDto());
        }).RequiresAction(NetworkActions.CreateRouteTable, collection).WithIdempotency().ProducesError(404).ProducesError(409)
            .WithSummary("Create a custom route table of a VPC, holding the VPC's local route.");

        group.MapGet("", async (HttpContext http, RouteTableService tables, string? name, string? vpcId, CancellationToken ct) =>
        {
            var (pageSize, token) = Paging.Read(http.Request);
            var page = await tables.WithRouteStatesAsync(
                await tables.ListAsync(http.Caller().Account, vpcId, name, Paging.ReadTagFilter(http.Request), pageSize, token, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
            return TypedResults.Ok(new PageDto<ResourceDto> { Items = [.. page.Items.Select(ResourceMapping.ToDto)], NextToken = page.NextPageToken });
        }).RequiresAction(NetworkActions.ListRouteTables, collection).WithSummary("List the account's route tables (vpcId= filters), every VPC's main table included.");

        group.MapGet("/{id}", async (string id, HttpContext http, RouteTableService tables, CancellationToken ct) =>
            TypedResults.Ok((await tables.WithRouteStatesAsync(await tables.GetAsync(http.Caller().Account, id, ct).ConfigureAwait(false), ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction(NetworkActions.GetRouteTable, item).ProducesError(404).WithSummary("Get a route table by id or name, with its routes (each with its state: active or blackhole) and subnets.");

        group.MapDelete("/{id}", async (string id, HttpContext http, RouteTableService tables, CancellationToken ct) =>
        {
            await tables.DeleteAsync(http.Caller().Account, id, ct).ConfigureAwait(false);
            return TypedResults.NoContent();
        }).RequiresAction(NetworkActions.DeleteRouteTable, item).ProducesError(404).ProducesError(409)
            .WithSummary("Delete a custom route table no subnet uses (DependencyViolation names them; the main table goes with its VPC).");

        group.MapPost("/{id}/routes", async (string id, CreateRouteRequest request, HttpContext http, RouteTableService tables, CancellationToken ct) =>
            TypedResults.Ok((await tables.WithRouteStatesAsync(await tables.AddRouteAsync(http.Caller().Account, id, request, ct).ConfigureAwait(false), ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction(NetworkActions.CreateRoute, item).ProducesError(404).ProducesError(409)
            .WithSummary("Add a route to a NAT gateway, an instance or a peering connection of the table's VPC.");

        group.MapDelete("/{id}/routes", async (string id, string? destinationCidr, HttpContext http, RouteTableService tables, CancellationToken ct) =>
            TypedResults.Ok((await tables.WithRouteStatesAsync(await tables.RemoveRouteAsync(http.Caller().Account, id, destinationCidr, ct).ConfigureAwait(false), ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction(NetworkActions.DeleteRoute, item).ProducesError(404).ProducesError(409)
            .WithSummary("Remove the route to destinationCidr= (the local route stays).");

        group.MapPost("/{id}/associations", async (string id, AssociateRouteTableRequest request, HttpContext http, RouteTableService tables, CancellationToken ct) =>
            TypedResults.Ok((await tables.WithRouteStatesAsync(await tables.AssociateAsync(http.Caller().Account, id, request, ct).ConfigureAwait(false), ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction(NetworkActions.AssociateRouteTable, item).ProducesError(404)
            .WithSummary("Associate a subnet of the table's VPC with the table (it leaves the table it used).");

        group.MapDelete("/{id}/associations/{subnetId}", async (string id, string subnetId, HttpContext http, RouteTableService tables, CancellationToken ct) =>
            TypedResults.Ok((await tables.WithRouteStatesAsync(await tables.DisassociateAsync(http.Caller().Account, id, subnetId, ct).ConfigureAwait(false), ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction(NetworkActions.DisassociateRouteTable, item).ProducesError(404)
            .WithSummary("Take a subnet out of the table: it uses its VPC's main table again.");
    }

    private static void MapVpcs(IEndpointRouteBuilder app, string region)
    {
        var group = app.MapGroup("/v1/network/vpcs").WithTags("network")
            .ProducesError(400).ProducesError(401).ProducesError(403).ProducesError(429);
        var collection = ResourceScope.Collection(NetworkKinds.Vpc, region);
        var item = ResourceScope.Item(NetworkKinds.Vpc, region);

        group.MapPost("", async (CreateVpcRequest request, HttpContext http, VpcService vpcs, CancellationToken ct) =>
        {
            var created = await vpcs.CreateAsync(http.Caller().Account, request, ct).ConfigureAwait(false);
            return TypedResults.Created($"/v1/network/vpcs/{created.Id}", created.ToDto());
        }).RequiresAction(NetworkActions.CreateVpc, collection).WithIdempotency().ProducesError(409)
            .WithSummary("Create a VPC: a private IPv4 range (/8 to /28 of RFC 1918 or 100.64.0.0/10) overlapping no other VPC of the installation.");

        group.MapGet("", async (HttpContext http, VpcService vpcs, string? name, CancellationToken ct) =>
        {
            var (pageSize, token) = Paging.Read(http.Request);
            var page = await vpcs.ListAsync(http.Caller().Account, name, Paging.ReadTagFilter(http.Request), pageSize, token, ct).ConfigureAwait(false);
            return TypedResults.Ok(new PageDto<ResourceDto> { Items = [.. page.Items.Select(ResourceMapping.ToDto)], NextToken = page.NextPageToken });
        }).RequiresAction(NetworkActions.ListVpcs, collection).WithSummary("List the account's VPCs (its default VPC is made on first use).");

        group.MapGet("/{id}", async (string id, HttpContext http, VpcService vpcs, CancellationToken ct) =>
            TypedResults.Ok((await vpcs.GetAsync(http.Caller().Account, id, ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction(NetworkActions.GetVpc, item).ProducesError(404).WithSummary("Get a VPC by id, or the default VPC as 'default'.");

        group.MapDelete("/{id}", async (string id, HttpContext http, VpcService vpcs, CancellationToken ct) =>
        {
            await vpcs.DeleteAsync(http.Caller().Account, id, ct).ConfigureAwait(false);
            return TypedResults.NoContent();
        }).RequiresAction(NetworkActions.DeleteVpc, item).ProducesError(404).ProducesError(409)
            .WithSummary("Delete a VPC that has no subnets left (DependencyViolation names them otherwise).");
    }

    private static void MapSubnets(IEndpointRouteBuilder app, string region)
    {
        var group = app.MapGroup("/v1/network/subnets").WithTags("network")
            .ProducesError(400).ProducesError(401).ProducesError(403).ProducesError(429);
        var collection = ResourceScope.Collection(NetworkKinds.Subnet, region);
        var item = ResourceScope.Item(NetworkKinds.Subnet, region);

        group.MapPost("", async (CreateSubnetRequest request, HttpContext http, SubnetService subnets, CancellationToken ct) =>
        {
            var created = await subnets.CreateAsync(http.Caller().Account, request, ct).ConfigureAwait(false);
            return TypedResults.Created($"/v1/network/subnets/{created.Id}", created.ToDto());
        }).RequiresAction(NetworkActions.CreateSubnet, collection).WithIdempotency().ProducesError(404).ProducesError(409)
            .WithSummary("Create a subnet: a range inside its VPC's, overlapping none of the VPC's subnets, in a zone.");

        group.MapGet("", async (HttpContext http, SubnetService subnets, string? name, string? vpcId, CancellationToken ct) =>
        {
            var (pageSize, token) = Paging.Read(http.Request);
            var page = await subnets.ListAsync(http.Caller().Account, vpcId, name, Paging.ReadTagFilter(http.Request), pageSize, token, ct).ConfigureAwait(false);
            return TypedResults.Ok(new PageDto<ResourceDto> { Items = [.. page.Items.Select(ResourceMapping.ToDto)], NextToken = page.NextPageToken });
        }).RequiresAction(NetworkActions.ListSubnets, collection).WithSummary("List the account's subnets (vpcId= filters), each with its address usage.");

        group.MapGet("/{id}", async (string id, HttpContext http, SubnetService subnets, CancellationToken ct) =>
            TypedResults.Ok((await subnets.GetAsync(http.Caller().Account, id, ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction(NetworkActions.GetSubnet, item).ProducesError(404).WithSummary("Get a subnet with its address usage.");

        group.MapGet("/{id}/addresses", async (string id, HttpContext http, SubnetService subnets, CancellationToken ct) =>
            TypedResults.Ok(await subnets.AddressesAsync(http.Caller().Account, id, ct).ConfigureAwait(false)))
            .RequiresAction(NetworkActions.GetSubnet, item).ProducesError(404).WithSummary("The subnet's held addresses and the interfaces holding them.");

        group.MapDelete("/{id}", async (string id, HttpContext http, SubnetService subnets, CancellationToken ct) =>
        {
            await subnets.DeleteAsync(http.Caller().Account, id, ct).ConfigureAwait(false);
            return TypedResults.NoContent();
        }).RequiresAction(NetworkActions.DeleteSubnet, item).ProducesError(404).ProducesError(409)
            .WithSummary("Delete a subnet no interface uses (DependencyViolation names them otherwise).");
    }
}
