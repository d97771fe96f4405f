using Nimbus.Contracts.Quotas;
using Nimbus.Core.Api;
using Nimbus.Core.Errors;
using Nimbus.Core.Quotas;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;
using Nimbus.Iam;

namespace Nimbus.Server.Endpoints;

/// <summary><c>/v1/quotas</c>: limits and usage per account; platform administrators set limits.</summary>
public static class QuotaEndpoints
{
    /// <summary>Quotas are named like resources of a global <c>quota</c> service: <c>nrn:nimbus:quota::&lt;account&gt;:quota/&lt;code&gt;</c>.</summary>
    public const string Kind = "quota/quota";

    public static void MapQuotaEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/quotas").WithTags("quota")
            .ProducesError(400).ProducesError(401).ProducesError(403).ProducesError(404).ProducesError(429);

        group.MapGet("", async (HttpContext http, QuotaService quotas, IResourceStore store, string? account, CancellationToken ct) =>
        {
            var caller = http.Caller();
            var target = account ?? caller.Account;
            if (target != caller.Account)
            {
                QuotaService.EnsureAdministrator(caller, "quota:ListQuotas");
                var errors = new FieldErrors();
                QuotaService.ValidateAccount(errors, "account", target);
                errors.ThrowIfAny();
                if (!await AccountExistsAsync(store, target, ct).ConfigureAwait(false))
                {
                    throw NimbusException.NotFound($"Account '{target}'");
                }
            }

            return TypedResults.Ok(await quotas.ListAsync(target, ct).ConfigureAwait(false));
        }).RequiresAction("quota:ListQuotas", (http, caller) => [Nrn.Format(Kind, IamKinds.GlobalRegion, AccountOf(http, caller), "*")])
            .WithSummary("List the quotas of your account (or, for platform administrators, of ?account=ID): limit, usage, default.");

        group.MapPut("/{code}", async (string code, SetQuotaRequest request, HttpContext http, QuotaService quotas, IResourceStore store, CancellationToken ct) =>
            TypedResults.Ok(await quotas.SetLimitAsync(http.Caller(), code, request, (a, c) => AccountExistsAsync(store, a, c), ct).ConfigureAwait(false)))
            .RequiresAction("quota:SetQuota", ResourceScope.Item(Kind, IamKinds.GlobalRegion, "code"))
            .WithSummary("Set an account's limit of one quota (platform administrators only).");
    }

    private static string AccountOf(HttpContext http, CallerContext caller)
    {
        var account = http.Request.Query["account"].ToString();
        return account.Length == 0 ? caller.Account : account;
    }

    private static async Task<bool> AccountExistsAsync(IResourceStore store, string account, CancellationToken cancellationToken) =>
        await store.GetAsync(account, cancellationToken).ConfigureAwait(false) is { Kind: IamKinds.Account };
}
