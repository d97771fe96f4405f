using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Nimbus.Compute.Networking.SecurityGroups;
using Nimbus.Contracts.Network;
using Nimbus.Contracts.Resources;
using Nimbus.Core.Api;

namespace Nimbus.Compute.Api;

/// <summary><c>/v1/network/security-groups</c>, and <c>/v1/compute/instances/{id}/security-groups</c> to change an instance's groups.</summary>
public static class SecurityGroupEndpoints
{
    public static void MapSecurityGroupEndpoints(this IEndpointRouteBuilder app, string region)
    {
        var group = app.MapGroup("/v1/network/security-groups").WithTags("network")
            .ProducesError(400).ProducesError(401).ProducesError(403).ProducesError(429);
        var collection = ResourceScope.Collection(SecurityGroupService.Kind, region);
        var item = ResourceScope.Item(SecurityGroupService.Kind, region);

        group.MapPost("", async (CreateSecurityGroupRequest request, HttpContext http, SecurityGroupService groups, CancellationToken ct) =>
        {
            var created = await groups.CreateAsync(http.Caller().Account, request, ct).ConfigureAwait(false);
            return TypedResults.Created($"/v1/network/security-groups/{created.Id}", created.ToDto());
        }).RequiresAction(SecurityGroupActions.CreateSecurityGroup, collection).WithIdempotency().ProducesError(409)
            .WithSummary("Create a security group: ingress denied, egress allowed, members talk to each other (its first rule).");

        group.MapGet("", async (HttpContext http, SecurityGroupService groups, string? name, CancellationToken ct) =>
        {
            var (pageSize, token) = Paging.Read(http.Request);
            var page = await groups.ListAsync(http.Caller().Account, name, pageSize, token, ct).ConfigureAwait(false);
            return TypedResults.Ok(new PageDto<ResourceDto> { Items = [.. page.Items.Select(ResourceMapping.ToDto)], NextToken = page.NextPageToken });
        }).RequiresAction(SecurityGroupActions.ListSecurityGroups, collection).WithSummary("List the account's security groups (the default group included).");

        group.MapGet("/{id}", async (string id, HttpContext http, SecurityGroupService groups, CancellationToken ct) =>
            TypedResults.Ok((await groups.GetAsync(http.Caller().Account, id, ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction(SecurityGroupActions.GetSecurityGroup, item).ProducesError(404).WithSummary("Get a security group by id or name, with its rules.");

        group.MapDelete("/{id}", async (string id, HttpContext http, SecurityGroupService groups, CancellationToken ct) =>
        {
            await groups.DeleteAsync(http.Caller().Account, id, ct).ConfigureAwait(false);
            return TypedResults.NoContent();
        }).RequiresAction(SecurityGroupActions.DeleteSecurityGroup, item).ProducesError(404).ProducesError(409)
            .WithSummary("Delete a security group (DependencyViolation while instances use it or other groups' rules name it).");

        MapRules(group, item, SecurityGroupRuleValidation.Ingress, SecurityGroupActions.AuthorizeSecurityGroupIngress, SecurityGroupActions.RevokeSecurityGroupIngress);
        MapRules(group, item, SecurityGroupRuleValidation.Egress, SecurityGroupActions.AuthorizeSecurityGroupEgress, SecurityGroupActions.RevokeSecurityGroupEgress);

        var instances = app.MapGroup("/v1/compute/instances").WithTags("compute")
            .ProducesError(400).ProducesError(401).ProducesError(403).ProducesError(429);
        instances.MapPost("/{id}/security-groups", async (string id, SetInstanceSecurityGroupsRequest request, HttpContext http, SecurityGroupService groups, CancellationToken ct) =>
            TypedResults.Ok((await groups.SetInstanceGroupsAsync(http.Caller().Account, id, request, ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction(ComputeActions.ModifyInstance, ResourceScope.Item(ComputeKinds.Instance, region)).ProducesError(404).ProducesError(409)
            .WithSummary("Replace an instance's security groups (1 to 5), also while it runs: its traffic follows when the call returns.");
    }

    private static void MapRules(RouteGroupBuilder group, Func<HttpContext, CallerContext, IReadOnlyList<string>> item, string direction, string authorize, string revoke)
    {
        group.MapPost("/{id}/" + direction, async (string id, SecurityGroupRuleRequest request, HttpContext http, SecurityGroupService groups, CancellationToken ct) =>
            TypedResults.Ok((await groups.AuthorizeAsync(http.Caller().Account, id, direction, request, ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction(authorize, item).ProducesError(404).ProducesError(409)
            .WithSummary($"Add an {direction} rule; running instances of the group follow when the call returns.");

        group.MapDelete("/{id}/" + direction + "/{ruleId}", async (string id, string ruleId, HttpContext http, SecurityGroupService groups, CancellationToken ct) =>
            TypedResults.Ok((await groups.RevokeAsync(http.Caller().Account, id, direction, ruleId, ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction(revoke, item).ProducesError(404)
            .WithSummary($"Remove an {direction} rule by id; new connections follow when the call returns, established ones are left alone.");
    }
}
