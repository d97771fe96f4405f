using Nimbus.Contracts.Iam;
using Nimbus.Contracts.Resources;
using Nimbus.Core.Api;
using Nimbus.Iam;
using Nimbus.Iam.Principals;

namespace Nimbus.Server.Endpoints.Iam;

/// <summary><c>/v1/iam/users</c>.</summary>
public static class UserEndpoints
{
    public static void MapUserEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/iam/users").WithTags("iam")
            .ProducesError(400).ProducesError(401).ProducesError(403).ProducesError(429);
        var collection = ResourceScope.Collection(IamKinds.User, IamKinds.GlobalRegion);
        var item = ResourceScope.Item(IamKinds.User, IamKinds.GlobalRegion);

        group.MapPost("", async (CreateUserRequest request, HttpContext http, UserService users, CancellationToken ct) =>
        {
            var user = await users.CreateAsync(http.Caller().Account, request, ct).ConfigureAwait(false);
            return TypedResults.Created($"/v1/iam/users/{user.Id}", user.ToDto());
        }).RequiresAction("iam:CreateUser", collection).WithRequestTags().WithIdempotency().ProducesError(409).WithSummary("Create a user, optionally with a console password.");

        group.MapGet("", async (HttpContext http, UserService users, string? name, CancellationToken ct) =>
        {
            var (pageSize, token) = Paging.Read(http.Request);
            var page = await users.ListAsync(http.Caller().Account, name, Paging.ReadTagFilter(http.Request), pageSize, token, ct).ConfigureAwait(false);
            return TypedResults.Ok(new PageDto<ResourceDto> { Items = [.. page.Items.Select(ResourceMapping.ToDto)], NextToken = page.NextPageToken });
        }).RequiresAction("iam:ListUsers", collection).WithSummary("List users (filter by name=, tag=key=value).");

        group.MapGet("/{id}", async (string id, HttpContext http, UserService users, CancellationToken ct) =>
            TypedResults.Ok((await users.GetAsync(http.Caller().Account, id, ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction("iam:GetUser", item).WithResourceTags().ProducesError(404).WithSummary("Get a user.");

        group.MapPut("/{id}", async (string id, UpdateUserRequest request, HttpContext http, UserService users, CancellationToken ct) =>
            TypedResults.Ok((await users.UpdateAsync(http.Caller().Account, id, request, ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction("iam:UpdateUser", item).WithResourceTags().WithRequestTags().ProducesError(404).ProducesError(409).WithSummary("Change a user's path or tags.");

        group.MapPost("/{id}:set-password", async (string id, SetPasswordRequest request, HttpContext http, UserService users, CancellationToken ct) =>
            TypedResults.Ok((await users.SetPasswordAsync(http.Caller().Account, id, request.Password, ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction("iam:UpdateUser", item).WithResourceTags().ProducesError(404).WithSummary("Set or change a user's console password (checked against the password policy).");

        var account = ResourceScope.Collection(IamKinds.User, IamKinds.GlobalRegion);
        app.MapGet("/v1/iam/password-policy", async (HttpContext http, PasswordPolicyService policies, CancellationToken ct) =>
            TypedResults.Ok(PasswordPolicyService.ToDto(await policies.GetAsync(http.Caller().Account, ct).ConfigureAwait(false))))
            .WithTags("iam").RequiresAction("iam:GetAccountPasswordPolicy", account).ProducesError(401).ProducesError(403)
            .WithSummary("The account's console password policy.");
        app.MapPut("/v1/iam/password-policy", async (PasswordPolicyDto policy, HttpContext http, PasswordPolicyService policies, CancellationToken ct) =>
            TypedResults.Ok(await policies.SetAsync(http.Caller().Account, policy, ct).ConfigureAwait(false)))
            .WithTags("iam").RequiresAction("iam:UpdateAccountPasswordPolicy", account).ProducesError(400).ProducesError(401).ProducesError(403)
            .WithSummary("Set the account's password policy (length, character classes, reuse, maximum age).");

        group.MapDelete("/{id}", async (string id, HttpContext http, UserService users, CancellationToken ct) =>
        {
            await users.DeleteAsync(http.Caller().Account, id, ct).ConfigureAwait(false);
            return TypedResults.NoContent();
        }).RequiresAction("iam:DeleteUser", item).WithResourceTags().ProducesError(404).ProducesError(409).WithSummary("Delete a user that has no access keys and belongs to no group.");
    }
}
