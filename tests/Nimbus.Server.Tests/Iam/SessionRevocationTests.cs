using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Iam;
using Nimbus.Contracts.Resources;
using Nimbus.Contracts.Signing;
using Nimbus.Core.Api;
using Nimbus.Core.Security;
using Nimbus.Core.Store;
using Nimbus.Iam.Policies;
using Nimbus.Iam.Sts;
using Nimbus.Testing;
using Shouldly;
using Xunit;

using static Nimbus.Server.Tests.ApiAssertions;

namespace Nimbus.Server.Tests.Iam;

/// <summary>Revoking temporary credentials: all sessions of a role, or one by its access key id, seen at once by every replica.</summary>
public sealed class SessionRevocationTests : IAsyncLifetime
{
    private NimbusServer _server = null!;
    private HttpClient _admin = null!;
    private HttpClient _assumer = null!;
    private ResourceDto _role = null!;
    private string _account = "";

    public async Task InitializeAsync()
    {
        _server = await NimbusServer.StartAsync();
        _admin = _server.SignedHttpClient();
        _account = (await (await _admin.GetAsync("/v1/sts/caller-identity")).ShouldBeOkAsync<CallerIdentityDto>()).Account;
        var user = await (await _admin.PostJsonAsync("/v1/iam/users", new CreateUserRequest { Name = "ci" })).ShouldBeOkAsync<ResourceDto>(HttpStatusCode.Created);
        (await _admin.PostAsync($"/v1/iam/users/{user.Id}:attach-policy", Json(new PolicyAttachmentRequest { Policy = "StsFullAccess" }))).StatusCode.ShouldBe(HttpStatusCode.OK);
        var key = await (await _admin.PostJsonAsync("/v1/iam/access-keys", new CreateAccessKeyRequest { UserName = "ci" })).ShouldBeOkAsync<CreateAccessKeyResponse>(HttpStatusCode.Created);
        _assumer = _server.SignedHttpClient(new SigV4Credentials(key.AccessKey.AccessKeyId, key.SecretAccessKey));
        _role = await (await _admin.PostJsonAsync("/v1/iam/roles", new CreateRoleRequest
        {
            Name = "deploy",
            TrustPolicy = $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Nimbus":"{{user.Nrn}}"},"Action":"sts:AssumeRole"}]}""",
        })).ShouldBeOkAsync<ResourceDto>(HttpStatusCode.Created);
        (await _admin.PostAsync($"/v1/iam/roles/{_role.Id}:attach-policy", Json(new PolicyAttachmentRequest { Policy = "DemoFullAccess" }))).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    public async Task DisposeAsync()
    {
        _assumer.Dispose();
        _admin.Dispose();
        await _server.DisposeAsync();
    }

    private async Task<(TemporaryCredentialsDto Credentials, HttpClient Client)> AssumeAsync(string sessionName)
    {
        var credentials = await (await _assumer.PostJsonAsync("/v1/sts/assume-role", new AssumeRoleRequest { Role = "deploy", SessionName = sessionName })).ShouldBeOkAsync<TemporaryCredentialsDto>();
        var client = _server.SignedHttpClient(new SigV4Credentials(credentials.AccessKeyId, credentials.SecretAccessKey, credentials.SessionToken));
        (await client.GetAsync("/v1/demo/widgets")).StatusCode.ShouldBe(HttpStatusCode.OK);
        return (credentials, client);
    }

    private async Task<IReadOnlyList<SessionDto>> ListedAsync() =>
        (await (await _admin.GetAsync($"/v1/iam/roles/{_role.Id}/sessions")).ShouldBeOkAsync<PageDto<SessionDto>>()).Items;

    private static async Task ShouldBeRevokedAsync(HttpClient client)
    {
        var problem = await (await client.GetAsync("/v1/demo/widgets")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.ExpiredToken);
        problem.Detail!.ShouldContain("revoked");
        await (await client.GetAsync("/v1/sts/caller-identity")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.ExpiredToken);
    }

    /// <summary>Another control-plane replica: its own StsService (and session cache) over the same store.</summary>
    private StsService OtherReplica()
    {
        var services = _server.Host.Services;
        return new StsService(
            services.GetRequiredService<IResourceStore>(),
            services.GetRequiredService<IActionCatalog>(),
            services.GetRequiredService<SecretProtector>(),
            services.GetRequiredService<Nimbus.Iam.Mfa.MfaService>(),
            TimeProvider.System);
    }

    [Fact]
    public async Task Revoking_a_roles_sessions_refuses_those_issued_before_and_not_later_ones()
    {
        var (first, firstClient) = await AssumeAsync("build-1");
        var (second, secondClient) = await AssumeAsync("build-2");
        using var _ = firstClient;
        using var __ = secondClient;
        var listed = await ListedAsync();
        listed.Select(s => s.AccessKeyId).ShouldBe([first.AccessKeyId, second.AccessKeyId]);
        listed[0].SessionName.ShouldBe("build-1");
        listed[0].Principal.ShouldBe(first.Principal);
        listed[0].IssuedAt.ShouldNotBeNull();

        var role = await (await _admin.PostAsync($"/v1/iam/roles/{_role.Id}:revoke-sessions", null)).ShouldBeOkAsync<ResourceDto>();
        role.Spec.GetProperty("sessionsRevokedBefore").GetDateTimeOffset().ShouldBeGreaterThanOrEqualTo(listed[1].IssuedAt!.Value);

        await ShouldBeRevokedAsync(firstClient);
        await ShouldBeRevokedAsync(secondClient);
        (await ListedAsync()).ShouldBeEmpty();

        var (third, thirdClient) = await AssumeAsync("build-3");
        using var ___ = thirdClient;
        (await ListedAsync()).ShouldHaveSingleItem().AccessKeyId.ShouldBe(third.AccessKeyId);
    }

    [Fact]
    public async Task Revoking_one_session_leaves_the_others_working()
    {
        var (first, firstClient) = await AssumeAsync("build-1");
        var (second, secondClient) = await AssumeAsync("build-2");
        using var _ = firstClient;
        using var __ = secondClient;

        var revoked = await (await _admin.PostJsonAsync("/v1/sts/revoke-session", new RevokeSessionRequest { AccessKeyId = first.AccessKeyId })).ShouldBeOkAsync<SessionDto>();
        revoked.AccessKeyId.ShouldBe(first.AccessKeyId);
        revoked.RevokedAt.ShouldNotBeNull();

        await ShouldBeRevokedAsync(firstClient);
        (await secondClient.GetAsync("/v1/demo/widgets")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ListedAsync()).ShouldHaveSingleItem().AccessKeyId.ShouldBe(second.AccessKeyId);

        // Revoking again is harmless and says when it happened.
        var again = await (await _admin.PostJsonAsync("/v1/sts/revoke-session", new RevokeSessionRequest { AccessKeyId = first.AccessKeyId })).ShouldBeOkAsync<SessionDto>();
        again.RevokedAt.ShouldBe(revoked.RevokedAt);
    }

    [Fact]
    public async Task A_user_session_from_get_session_token_can_be_revoked_too()
    {
        var credentials = await (await _assumer.PostJsonAsync("/v1/sts/session-token", new GetSessionTokenRequest())).ShouldBeOkAsync<TemporaryCredentialsDto>();
        using var session = _server.SignedHttpClient(new SigV4Credentials(credentials.AccessKeyId, credentials.SecretAccessKey, credentials.SessionToken));
        (await session.GetAsync("/v1/sts/caller-identity")).StatusCode.ShouldBe(HttpStatusCode.OK);

        // The user itself may revoke it (StsFullAccess includes sts:RevokeSession).
        (await _assumer.PostJsonAsync("/v1/sts/revoke-session", new RevokeSessionRequest { AccessKeyId = credentials.AccessKeyId })).StatusCode.ShouldBe(HttpStatusCode.OK);
        await (await session.GetAsync("/v1/sts/caller-identity")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.ExpiredToken);
    }

    [Fact]
    public async Task A_revocation_made_by_another_replica_is_seen_at_once()
    {
        var (first, firstClient) = await AssumeAsync("build-1");
        var (_, secondClient) = await AssumeAsync("build-2");
        using var _ = firstClient;
        using var __ = secondClient;

        // This replica's session cache holds both sessions (each was used above); the other replica cannot evict them.
        await OtherReplica().RevokeSessionAsync(new CallerContext { Account = _account, Principal = "test" }, first.AccessKeyId, default);
        await ShouldBeRevokedAsync(firstClient);
        (await secondClient.GetAsync("/v1/demo/widgets")).StatusCode.ShouldBe(HttpStatusCode.OK);

        await OtherReplica().RevokeRoleSessionsAsync(_account, _role.Id, default);
        await ShouldBeRevokedAsync(secondClient);
    }

    [Fact]
    public async Task Bad_revocations_are_refused_clearly()
    {
        await (await _admin.PostJsonAsync("/v1/sts/revoke-session", new RevokeSessionRequest())).ShouldBeProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.InvalidParameter);
        await (await _admin.PostJsonAsync("/v1/sts/revoke-session", new RevokeSessionRequest { AccessKeyId = _server.Admin.AccessKeyId })).ShouldBeProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.InvalidParameter);
        await (await _admin.PostJsonAsync("/v1/sts/revoke-session", new RevokeSessionRequest { AccessKeyId = "NSIA" + new string('X', 100) })).ShouldBeProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.InvalidParameter);
        await (await _admin.PostJsonAsync("/v1/sts/revoke-session", new RevokeSessionRequest { AccessKeyId = "NSIAUNKNOWN0000000000" })).ShouldBeProblemAsync(HttpStatusCode.NotFound, ErrorCodes.NotFound);
        await (await _admin.PostAsync("/v1/iam/roles/rol-missing:revoke-sessions", null)).ShouldBeProblemAsync(HttpStatusCode.NotFound, ErrorCodes.NotFound);
        await (await _admin.GetAsync("/v1/iam/roles/rol-missing/sessions")).ShouldBeProblemAsync(HttpStatusCode.NotFound, ErrorCodes.NotFound);

        // Another account's session is not found from here.
        var (credentials, client) = await AssumeAsync("build-1");
        using var _ = client;
        var tenant = await (await _admin.PostJsonAsync("/v1/iam/accounts", new CreateAccountRequest { Name = "tenant" })).ShouldBeOkAsync<CreateAccountResponse>(HttpStatusCode.Created);
        using var tenantRoot = _server.SignedHttpClient(new SigV4Credentials(tenant.RootAccessKey.AccessKey.AccessKeyId, tenant.RootAccessKey.SecretAccessKey));
        await (await tenantRoot.PostJsonAsync("/v1/sts/revoke-session", new RevokeSessionRequest { AccessKeyId = credentials.AccessKeyId })).ShouldBeProblemAsync(HttpStatusCode.NotFound, ErrorCodes.NotFound);
        (await client.GetAsync("/v1/demo/widgets")).StatusCode.ShouldBe(HttpStatusCode.OK);

        // Revoking needs its own permission: the role's sessions (DemoFullAccess) may not revoke each other.
        await (await client.PostJsonAsync("/v1/sts/revoke-session", new RevokeSessionRequest { AccessKeyId = credentials.AccessKeyId })).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);
    }
}
