using System.Net;
using System.Text.Json;
using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Iam;
using Nimbus.Contracts.Resources;
using Nimbus.Contracts.Signing;
using Nimbus.Core.Api;
using Nimbus.Iam.Mfa;
using Nimbus.Testing;
using Shouldly;
using Xunit;

using static Nimbus.Server.Tests.ApiAssertions;

namespace Nimbus.Server.Tests.Iam;

/// <summary>A virtual MFA device and an MFA-authenticated session satisfying <c>nimbus:MultiFactorAuthPresent</c>.</summary>
public sealed class MfaSessionTests : AdminServerTest
{
    [Fact]
    public async Task Actions_that_need_mfa_work_only_in_a_session_opened_with_a_code()
    {
        var bob = await (await Admin.PostJsonAsync("/v1/iam/users", new CreateUserRequest { Name = "bob" })).ShouldBeOkAsync<ResourceDto>(HttpStatusCode.Created);
        var policy = await (await Admin.PostJsonAsync("/v1/iam/policies", new CreatePolicyRequest
        {
            Name = "demo-with-mfa",
            Document = """
                {"Version":"2012-10-17","Statement":[
                  {"Effect":"Allow","Action":"sts:GetSessionToken","Resource":"*"},
                  {"Effect":"Allow","Action":"demo:*","Resource":"*","Condition":{"Bool":{"nimbus:MultiFactorAuthPresent":"true"}}}
                ]}
                """,
        })).ShouldBeOkAsync<ResourceDto>(HttpStatusCode.Created);
        (await Admin.PostAsync($"/v1/iam/users/{bob.Id}:attach-policy", Json(new PolicyAttachmentRequest { Policy = policy.Name }))).StatusCode.ShouldBe(HttpStatusCode.OK);
        var key = await (await Admin.PostJsonAsync("/v1/iam/access-keys", new CreateAccessKeyRequest { UserName = "bob" })).ShouldBeOkAsync<CreateAccessKeyResponse>(HttpStatusCode.Created);

        var device = await (await Admin.PostAsync($"/v1/iam/users/{bob.Id}/mfa-device", null)).ShouldBeOkAsync<CreateMfaDeviceResponse>();
        device.Device.Enabled.ShouldBeFalse();
        device.ProvisioningUri.ShouldStartWith("otpauth://totp/Nimbus:bob");
        var secret = Base32.Decode(device.Base32Secret)!;
        var step = Totp.StepOf(DateTimeOffset.UtcNow);
        await (await Admin.PostAsync($"/v1/iam/users/{bob.Id}/mfa-device:enable", Json(new EnableMfaDeviceRequest { Code1 = "000000", Code2 = "000001" })))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.InvalidParameter);
        var enabled = await (await Admin.PostAsync($"/v1/iam/users/{bob.Id}/mfa-device:enable", Json(new EnableMfaDeviceRequest { Code1 = Totp.Compute(secret, step - 1), Code2 = Totp.Compute(secret, step) }))).ShouldBeOkAsync<MfaDeviceDto>();
        enabled.Enabled.ShouldBeTrue();

        using var longTerm = Server.SignedHttpClient(new SigV4Credentials(key.AccessKey.AccessKeyId, key.SecretAccessKey));
        await (await longTerm.GetAsync("/v1/demo/widgets")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);
        await (await longTerm.PostAsync("/v1/sts/session-token", Json(new GetSessionTokenRequest { MfaCode = "123456" }))).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);

        var code = Totp.Compute(secret, step + 1);
        var session = await (await longTerm.PostAsync("/v1/sts/session-token", Json(new GetSessionTokenRequest { MfaCode = code, DurationSeconds = 900 }))).ShouldBeOkAsync<TemporaryCredentialsDto>();
        session.Principal.ShouldBe(bob.Nrn);
        await (await longTerm.PostAsync("/v1/sts/session-token", Json(new GetSessionTokenRequest { MfaCode = code }))).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);

        using var withMfa = Server.SignedHttpClient(new SigV4Credentials(session.AccessKeyId, session.SecretAccessKey, session.SessionToken));
        (await withMfa.GetAsync("/v1/demo/widgets")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await (await withMfa.GetAsync("/v1/sts/caller-identity")).ShouldBeOkAsync<CallerIdentityDto>()).UserName.ShouldBe("bob");

        // A session without a code is just the user's own rights.
        var plain = await (await longTerm.PostAsync("/v1/sts/session-token", Json(new GetSessionTokenRequest()))).ShouldBeOkAsync<TemporaryCredentialsDto>();
        using var withoutMfa = Server.SignedHttpClient(new SigV4Credentials(plain.AccessKeyId, plain.SecretAccessKey, plain.SessionToken));
        await (await withoutMfa.GetAsync("/v1/demo/widgets")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);
        await (await withoutMfa.PostAsync("/v1/sts/session-token", Json(new GetSessionTokenRequest()))).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);
    }
}
