using Nimbus.Contracts.Iam;
using Nimbus.Core.Api;
using Nimbus.Iam;
using Nimbus.Iam.Mfa;
using Nimbus.Iam.Sts;

namespace Nimbus.Server.Endpoints.Iam;

/// <summary><c>/v1/iam/users/{id}/mfa-device</c> and <c>/v1/sts/session-token</c>.</summary>
public static class MfaEndpoints
{
    public static void MapMfaEndpoints(this IEndpointRouteBuilder app)
    {
        var item = ResourceScope.Item(IamKinds.User, IamKinds.GlobalRegion);
        var group = app.MapGroup("/v1/iam/users/{id}/mfa-device").WithTags("iam")
            .ProducesError(400).ProducesError(401).ProducesError(403).ProducesError(404).ProducesError(429);

        group.MapPost("", async (string id, HttpContext http, MfaService mfa, CancellationToken ct) =>
            TypedResults.Ok(await mfa.CreateAsync(http.Caller().Account, id, ct).ConfigureAwait(false)))
            .RequiresAction("iam:CreateVirtualMfaDevice", item).ProducesError(409)
            .WithSummary("Create the user's virtual MFA device (pending); the secret is in this answer only.");

        app.MapPost("/v1/iam/users/{id}/mfa-device:enable", async (string id, EnableMfaDeviceRequest request, HttpContext http, MfaService mfa, CancellationToken ct) =>
            TypedResults.Ok(await mfa.EnableAsync(http.Caller().Account, id, request, ct).ConfigureAwait(false)))
            .WithTags("iam").RequiresAction("iam:EnableMfaDevice", item).ProducesError(400).ProducesError(404)
            .WithSummary("Enable the device with two consecutive codes.");

        group.MapGet("", async (string id, HttpContext http, MfaService mfa, CancellationToken ct) =>
            TypedResults.Ok(await mfa.GetAsync(http.Caller().Account, id, ct).ConfigureAwait(false)))
            .RequiresAction("iam:ListMfaDevices", item).WithSummary("The user's MFA device.");

        group.MapDelete("", async (string id, HttpContext http, MfaService mfa, CancellationToken ct) =>
        {
            await mfa.DeleteAsync(http.Caller().Account, id, ct).ConfigureAwait(false);
            return TypedResults.NoContent();
        }).RequiresAction("iam:DeactivateMfaDevice", item).WithSummary("Remove the user's MFA device.");

        app.MapPost("/v1/sts/session-token", async (GetSessionTokenRequest request, HttpContext http, StsService sts, CancellationToken ct) =>
            TypedResults.Ok(await sts.GetSessionTokenAsync(http.Caller(), request, ct).ConfigureAwait(false)))
            .WithTags("sts").RequiresAction("sts:GetSessionToken", ResourceScope.None)
            .ProducesError(400).ProducesError(401).ProducesError(403)
            .WithSummary("Temporary credentials for yourself; with an MFA code they satisfy nimbus:MultiFactorAuthPresent.");
    }
}
