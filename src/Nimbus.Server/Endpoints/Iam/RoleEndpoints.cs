using Nimbus.Contracts.Iam;
using Nimbus.Contracts.Resources;
using Nimbus.Core.Api;
using Nimbus.Iam;
using Nimbus.Iam.Principals;
using Nimbus.Iam.Sts;

namespace Nimbus.Server.Endpoints.Iam;

/// <summary><c>/v1/iam/roles</c> and <c>/v1/sts/assume-role</c>.</summary>
public static class RoleEndpoints
{
    public static void MapRoleEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/iam/roles").WithTags("iam")
            .ProducesError(400).ProducesError(401).ProducesError(403).ProducesError(429);
        var collection = ResourceScope.Collection(IamKinds.Role, IamKinds.GlobalRegion);
        var item = ResourceScope.Item(IamKinds.Role, IamKinds.GlobalRegion);

        group.MapPost("", async (CreateRoleRequest request, HttpContext http, RoleService roles, CancellationToken ct) =>
        {
            var role = await roles.CreateAsync(http.Caller().Account, request, ct).ConfigureAwait(false);
            return TypedResults.Created($"/v1/iam/roles/{role.Id}", role.ToDto());
        }).RequiresAction("iam:CreateRole", collection).WithIdempotency().ProducesError(409).WithSummary("Create a role with a trust policy.");

        group.MapGet("", async (HttpContext http, RoleService roles, string? name, CancellationToken ct) =>
        {
            var (pageSize, token) = Paging.Read(http.Request);
            var page = await roles.ListAsync(http.Caller().Account, name, pageSize, token, ct).ConfigureAwait(false);
            return TypedResults.Ok(new PageDto<ResourceDto> { Items = [.. page.Items.Select(ResourceMapping.ToDto)], NextToken = page.NextPageToken });
        }).RequiresAction("iam:ListRoles", collection).WithSummary("List roles.");

        group.MapGet("/{id}", async (string id, HttpContext http, RoleService roles, CancellationToken ct) =>
            TypedResults.Ok((await roles.GetAsync(http.Caller().Account, id, ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction("iam:GetRole", item).WithResourceTags().ProducesError(404).WithSummary("Get a role.");

        group.MapDelete("/{id}", async (string id, HttpContext http, RoleService roles, CancellationToken ct) =>
        {
            await roles.DeleteAsync(http.Caller().Account, id, ct).ConfigureAwait(false);
            return TypedResults.NoContent();
        }).RequiresAction("iam:DeleteRole", item).WithResourceTags().ProducesError(404).WithSummary("Delete a role; its sessions stop working at once.");

        group.MapPost("/{id}:revoke-sessions", async (string id, HttpContext http, StsService sts, CancellationToken ct) =>
            TypedResults.Ok((await sts.RevokeRoleSessionsAsync(http.Caller().Account, id, ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction("iam:RevokeRoleSessions", item).WithResourceTags().ProducesError(404)
            .WithSummary("Revoke every session of the role issued until now: their requests get 403 ExpiredToken; new sessions work.");

        group.MapGet("/{id}/sessions", async (string id, HttpContext http, StsService sts, CancellationToken ct) =>
            TypedResults.Ok(new PageDto<SessionDto> { Items = await sts.ListRoleSessionsAsync(http.Caller().Account, id, ct).ConfigureAwait(false) }))
            .RequiresAction("iam:ListRoleSessions", item).WithResourceTags().ProducesError(404)
            .WithSummary($"The role's active sessions (not expired, not revoked), oldest first; the latest {StsService.MaxListedSessions} are kept.");

        app.MapPost("/v1/sts/revoke-session", async (RevokeSessionRequest request, HttpContext http, StsService sts, CancellationToken ct) =>
            TypedResults.Ok(await sts.RevokeSessionAsync(http.Caller(), request.AccessKeyId, ct).ConfigureAwait(false)))
            .WithTags("sts").RequiresAction("sts:RevokeSession", (_, caller) => [$"nrn:nimbus:sts::{caller.Account}:session/*"])
            .ProducesError(400).ProducesError(401).ProducesError(403).ProducesError(404)
            .WithSummary("Revoke one set of temporary credentials of your account by its access key id: its requests get 403 ExpiredToken.");

        app.MapPost("/v1/sts/assume-role", async (AssumeRoleRequest request, HttpContext http, StsService sts, CancellationToken ct) =>
            TypedResults.Ok(await sts.AssumeRoleAsync(http.Caller(), request, ct).ConfigureAwait(false)))
            .WithTags("sts").RequiresAction("sts:AssumeRole", ResourceScope.None)
            .ProducesError(400).ProducesError(401).ProducesError(403).ProducesError(404)
            .WithSummary("Temporary credentials for a role session (15 minutes to 12 hours), optionally narrowed by a session policy.");
    }
}
