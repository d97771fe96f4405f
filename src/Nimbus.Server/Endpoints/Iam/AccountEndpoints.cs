using Nimbus.Contracts.Iam;
using Nimbus.Contracts.Resources;
using Nimbus.Core.Api;
using Nimbus.Core.Errors;
using Nimbus.Iam;
using Nimbus.Iam.AccessKeys;
using Nimbus.Iam.Accounts;

namespace Nimbus.Server.Endpoints.Iam;

/// <summary><c>/v1/iam/accounts</c>: tenants, created by platform administrators.</summary>
public static class AccountEndpoints
{
    public static void MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/iam/accounts").WithTags("iam")
            .ProducesError(400).ProducesError(401).ProducesError(403).ProducesError(429);
        var collection = ResourceScope.Collection(IamKinds.Account, IamKinds.GlobalRegion);
        var item = ResourceScope.Item(IamKinds.Account, IamKinds.GlobalRegion);

        group.MapPost("", async (CreateAccountRequest request, HttpContext http, AccountService accounts, CancellationToken ct) =>
        {
            if (!http.Caller().IsPlatformAdministrator)
            {
                throw NimbusException.AccessDenied("Only platform administrators create accounts.");
            }

            var (account, key, secret) = await accounts.CreateAsync(request, ct).ConfigureAwait(false);
            return TypedResults.Created($"/v1/iam/accounts/{account.Id}", new CreateAccountResponse
            {
                Account = account.ToDto(),
                RootAccessKey = new CreateAccessKeyResponse { AccessKey = AccessKeyService.ToDto(key), SecretAccessKey = secret },
            });
        }).RequiresAction("iam:CreateAccount", collection).WithIdempotency().ProducesError(409)
            .WithSummary("Create an account with a root user; its first access key's secret is in this answer only.");

        group.MapGet("", async (HttpContext http, AccountService accounts, CancellationToken ct) =>
        {
            var (pageSize, token) = Paging.Read(http.Request);
            var page = await accounts.ListAsync(http.Caller().Account, pageSize, token, ct).ConfigureAwait(false);
            return TypedResults.Ok(new PageDto<ResourceDto> { Items = [.. page.Items.Select(ResourceMapping.ToDto)], NextToken = page.NextPageToken });
        }).RequiresAction("iam:ListAccounts", collection).WithSummary("List accounts: all of them for platform administrators, your own otherwise.");

        group.MapGet("/{id}", async (string id, HttpContext http, AccountService accounts, CancellationToken ct) =>
            TypedResults.Ok((await accounts.GetAsync(http.Caller().Account, id, ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction("iam:GetAccount", item).ProducesError(404).WithSummary("Get an account.");
    }
}
