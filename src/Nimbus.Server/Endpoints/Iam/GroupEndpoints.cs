using Nimbus.Contracts.Iam;
using Nimbus.Contracts.Resources;
using Nimbus.Core.Api;
using Nimbus.Iam;
using Nimbus.Iam.Principals;

namespace Nimbus.Server.Endpoints.Iam;

/// <summary><c>/v1/iam/groups</c>.</summary>
public static class GroupEndpoints
{
    public static void MapGroupEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/iam/groups").WithTags("iam")
            .ProducesError(400).ProducesError(401).ProducesError(403).ProducesError(429);
        var collection = ResourceScope.Collection(IamKinds.Group, IamKinds.GlobalRegion);
        var item = ResourceScope.Item(IamKinds.Group, IamKinds.GlobalRegion);

        group.MapPost("", async (CreateGroupRequest request, HttpContext http, GroupService groups, CancellationToken ct) =>
        {
            var created = await groups.CreateAsync(http.Caller().Account, request, ct).ConfigureAwait(false);
            return TypedResults.Created($"/v1/iam/groups/{created.Id}", created.ToDto());
        }).RequiresAction("iam:CreateGroup", collection).WithIdempotency().ProducesError(409).WithSummary("Create a group.");

        group.MapGet("", async (HttpContext http, GroupService groups, string? name, CancellationToken ct) =>
        {
            var (pageSize, token) = Paging.Read(http.Request);
            var page = await groups.ListAsync(http.Caller().Account, name, pageSize, token, ct).ConfigureAwait(false);
            return TypedResults.Ok(new PageDto<ResourceDto> { Items = [.. page.Items.Select(ResourceMapping.ToDto)], NextToken = page.NextPageToken });
        }).RequiresAction("iam:ListGroups", collection).WithSummary("List groups.");

        group.MapGet("/{id}", async (string id, HttpContext http, GroupService groups, CancellationToken ct) =>
            TypedResults.Ok((await groups.GetAsync(http.Caller().Account, id, ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction("iam:GetGroup", item).WithResourceTags().ProducesError(404).WithSummary("Get a group and its members.");

        group.MapPost("/{id}:add-user", async (string id, GroupMemberRequest request, HttpContext http, GroupService groups, CancellationToken ct) =>
            TypedResults.Ok((await groups.AddUserAsync(http.Caller().Account, id, request.UserName, ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction("iam:AddUserToGroup", item).WithResourceTags().ProducesError(404).WithSummary("Add a user to the group.");

        group.MapPost("/{id}:remove-user", async (string id, GroupMemberRequest request, HttpContext http, GroupService groups, CancellationToken ct) =>
            TypedResults.Ok((await groups.RemoveUserAsync(http.Caller().Account, id, request.UserName, ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction("iam:RemoveUserFromGroup", item).WithResourceTags().ProducesError(404).WithSummary("Remove a user from the group.");

        group.MapDelete("/{id}", async (string id, HttpContext http, GroupService groups, CancellationToken ct) =>
        {
            await groups.DeleteAsync(http.Caller().Account, id, ct).ConfigureAwait(false);
            return TypedResults.NoContent();
        }).RequiresAction("iam:DeleteGroup", item).WithResourceTags().ProducesError(404).ProducesError(409).WithSummary("Delete an empty group.");
    }
}
