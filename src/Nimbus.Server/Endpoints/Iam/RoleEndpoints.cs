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

        app.MapPost("/v1/sts/assume-role", async (AssumeRoleRequest request, HttpContext http, StsService sts, CancellationToken ct) =>
            TypedResults.Ok(await sts.AssumeRoleAsync(http.Caller(), request, ct).ConfigureAwait(false)))
            .WithTags("sts").RequiresAction("sts:AssumeRole", ResourceScope.None)
            .ProducesError(400).ProducesError(401).ProducesError(403).ProducesError(404)
            .WithSummary("Temporary credentials for a role session (15 minutes to 12 hours), optionally narrowed by a session policy.");
    }
}
