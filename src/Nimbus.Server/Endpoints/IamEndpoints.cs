using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Iam;
using Nimbus.Contracts.Resources;
using Nimbus.Core.Api;
using Nimbus.Iam;
using Nimbus.Iam.AccessKeys;
using Nimbus.Iam.Accounts;

namespace Nimbus.Server.Endpoints;

/// <summary>STS caller identity and IAM access keys.</summary>
public static class IamEndpoints
{
    public static void MapIamEndpoints(this IEndpointRouteBuilder app)
    {
        var sts = app.MapGroup("/v1/sts").WithTags("sts").ProducesError(401).ProducesError(403);
        sts.MapGet("/caller-identity", (HttpContext http, PlatformAccount platform) =>
        {
            var caller = http.Caller();
            return TypedResults.Ok(new CallerIdentityDto
            {
                Account = caller.Account,
                Principal = caller.Principal,
                UserName = caller.UserName,
                AccessKeyId = caller.AccessKeyId,
                IsPlatformAdministrator = platform.IsPlatform(caller.Account),
            });
        }).RequiresAction("sts:GetCallerIdentity", ResourceScope.None).WithSummary("Who am I: the authenticated principal.");

        var keys = app.MapGroup("/v1/iam/access-keys").WithTags("iam").ProducesError(400).ProducesError(401).ProducesError(403).ProducesError(429);
        var collection = ResourceScope.Collection(IamKinds.AccessKey, IamKinds.GlobalRegion);
        var item = ResourceScope.Item(IamKinds.AccessKey, IamKinds.GlobalRegion);

        keys.MapPost("", async (CreateAccessKeyRequest request, HttpContext http, AccessKeyService service, CancellationToken ct) =>
        {
            var caller = http.Caller();
            var userName = request.UserName ?? caller.UserName ?? throw Core.Errors.NimbusException.Invalid("userName", "is required when the caller is not a user");
            var errors = new FieldErrors();
            CommonValidation.Name(errors, "userName", userName);
            errors.ThrowIfAny();
            var (key, secret) = await service.CreateAsync(caller.Account, userName, ct).ConfigureAwait(false);
            return TypedResults.Created($"/v1/iam/access-keys/{key.Id}", new CreateAccessKeyResponse { AccessKey = AccessKeyService.ToDto(key), SecretAccessKey = secret });
        }).RequiresAction("iam:CreateAccessKey", collection).WithIdempotency().ProducesError(404).ProducesError(409)
            .WithSummary("Create an access key; the secret is in this answer only.");

        keys.MapGet("", async (HttpContext http, AccessKeyService service, string? userName, CancellationToken ct) =>
        {
            var (pageSize, token) = Paging.Read(http.Request);
            var page = await service.ListAsync(http.Caller().Account, userName, pageSize, token, ct).ConfigureAwait(false);
            var items = new List<AccessKeyDto>(page.Items.Count);
            foreach (var key in page.Items)
            {
                items.Add(await service.ToDtoAsync(key, ct).ConfigureAwait(false));
            }

            return TypedResults.Ok(new PageDto<AccessKeyDto> { Items = items, NextToken = page.NextPageToken });
        }).RequiresAction("iam:ListAccessKeys", collection).WithSummary("List access keys (never their secrets).");

        keys.MapGet("/{id}", async (string id, HttpContext http, AccessKeyService service, CancellationToken ct) =>
            TypedResults.Ok(await service.ToDtoAsync(await service.GetAsync(http.Caller().Account, id, ct).ConfigureAwait(false), ct).ConfigureAwait(false)))
            .RequiresAction("iam:GetAccessKey", item).ProducesError(404).WithSummary("Get one access key.");

        keys.MapPost("/{id}:deactivate", async (string id, HttpContext http, AccessKeyService service, CancellationToken ct) =>
            TypedResults.Ok(await service.ToDtoAsync(await service.SetStateAsync(http.Caller().Account, id, AccessKeyStates.Inactive, ct).ConfigureAwait(false), ct).ConfigureAwait(false)))
            .RequiresAction("iam:UpdateAccessKey", item).ProducesError(404).WithSummary("Deactivate a key: requests signed with it are refused.");

        keys.MapPost("/{id}:activate", async (string id, HttpContext http, AccessKeyService service, CancellationToken ct) =>
            TypedResults.Ok(await service.ToDtoAsync(await service.SetStateAsync(http.Caller().Account, id, AccessKeyStates.Active, ct).ConfigureAwait(false), ct).ConfigureAwait(false)))
            .RequiresAction("iam:UpdateAccessKey", item).ProducesError(404).ProducesError(409).WithSummary("Activate a key again.");

        keys.MapDelete("/{id}", async (string id, HttpContext http, AccessKeyService service, CancellationToken ct) =>
        {
            await service.DeleteAsync(http.Caller().Account, id, ct).ConfigureAwait(false);
            return TypedResults.NoContent();
        }).RequiresAction("iam:DeleteAccessKey", item).ProducesError(404).WithSummary("Delete a key for good.");
    }
}
