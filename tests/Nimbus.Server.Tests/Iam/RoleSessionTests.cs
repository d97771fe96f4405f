using System.Net;
using System.Text.Json;
using Nimbus.Contracts.Demo;
using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Iam;
using Nimbus.Contracts.Resources;
using Nimbus.Contracts.Signing;
using Nimbus.Core.Api;
using Nimbus.Testing;
using Shouldly;
using Xunit;

using static Nimbus.Server.Tests.ApiAssertions;

namespace Nimbus.Server.Tests.Iam;

/// <summary>Roles and sts:AssumeRole: a CI user assumes a deploy role; the credentials work until they expire.</summary>
public sealed class RoleSessionTests : IAsyncLifetime
{
    private readonly ShiftableTimeProvider _clock = new();
    private NimbusServer _server = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _server = await NimbusServer.StartAsync(time: _clock);
        _admin = _server.SignedHttpClient(clock: _clock.GetUtcNow);
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _server.DisposeAsync();
    }

    private async Task<(ResourceDto User, SigV4Credentials Credentials)> UserAsync(string name, string? policy)
    {
        var user = await (await _admin.PostJsonAsync("/v1/iam/users", new CreateUserRequest { Name = name })).ShouldBeOkAsync<ResourceDto>(HttpStatusCode.Created);
        if (policy is not null)
        {
            (await _admin.PostAsync($"/v1/iam/users/{user.Id}:attach-policy", Json(new PolicyAttachmentRequest { Policy = policy }))).StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        var key = await (await _admin.PostJsonAsync("/v1/iam/access-keys", new CreateAccessKeyRequest { UserName = name })).ShouldBeOkAsync<CreateAccessKeyResponse>(HttpStatusCode.Created);
        return (user, new SigV4Credentials(key.AccessKey.AccessKeyId, key.SecretAccessKey));
    }

    private async Task<ResourceDto> DeployRoleAsync(string trustedNrn)
    {
        var role = await (await _admin.PostJsonAsync("/v1/iam/roles", new CreateRoleRequest
        {
            Name = "deploy",
            TrustPolicy = $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Nimbus":"{{trustedNrn}}"},"Action":"sts:AssumeRole"}]}""",
        })).ShouldBeOkAsync<ResourceDto>(HttpStatusCode.Created);
        (await _admin.PostAsync($"/v1/iam/roles/{role.Id}:attach-policy", Json(new PolicyAttachmentRequest { Policy = "DemoFullAccess" }))).StatusCode.ShouldBe(HttpStatusCode.OK);
        return role;
    }

    private static StsAssumeRolePolicy AssumeOnly => new();

    [Fact]
    public async Task A_ci_user_assumes_the_deploy_role_and_its_credentials_work_until_they_expire()
    {
        var (ci, ciCredentials) = await UserAsync("ci", AssumeOnly.Name);
        var role = await DeployRoleAsync(ci.Nrn);
        using var asCi = _server.SignedHttpClient(ciCredentials, _clock.GetUtcNow);
        await (await asCi.GetAsync("/v1/demo/widgets")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);

        var session = await (await asCi.PostAsync("/v1/sts/assume-role", Json(new AssumeRoleRequest { Role = "deploy", SessionName = "build-42", DurationSeconds = 900 }))).ShouldBeOkAsync<TemporaryCredentialsDto>();
        session.AccessKeyId.ShouldStartWith("NSIA");
        session.Principal.ShouldBe($"nrn:nimbus:sts::{_server.Admin.Account}:assumed-role/deploy/build-42");
        session.Expiration.ShouldBe(_clock.GetUtcNow().AddSeconds(900), TimeSpan.FromSeconds(5));

        using var asRole = _server.SignedHttpClient(new SigV4Credentials(session.AccessKeyId, session.SecretAccessKey, session.SessionToken), _clock.GetUtcNow);
        var identity = await (await asRole.GetAsync("/v1/sts/caller-identity")).ShouldBeOkAsync<CallerIdentityDto>();
        identity.Principal.ShouldBe(session.Principal);
        (await asRole.PostJsonAsync("/v1/demo/widgets", new CreateWidgetRequest { Name = "deployed", Spec = new WidgetSpec { Message = "v1" } })).StatusCode.ShouldBe(HttpStatusCode.Created);
        await (await asRole.GetAsync("/v1/iam/users")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);

        // A wrong token is refused, and so is the session once it has expired.
        using var forged = _server.SignedHttpClient(new SigV4Credentials(session.AccessKeyId, session.SecretAccessKey, "not-the-token"), _clock.GetUtcNow);
        await (await forged.GetAsync("/v1/demo/widgets")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.InvalidAccessKeyId);
        _clock.Advance(TimeSpan.FromSeconds(901));
        await (await asRole.GetAsync("/v1/demo/widgets")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.ExpiredToken);
        (await asCi.GetAsync("/v1/sts/caller-identity")).StatusCode.ShouldBe(HttpStatusCode.OK);
        role.Id.ShouldStartWith("rol-");

        // The audit trail names the session.
        var events = await Poll.UntilAsync(
            async () => await (await _admin.GetAsync("/v1/audit/events?principal=" + Uri.EscapeDataString(session.Principal))).ShouldBeOkAsync<PageDto<Contracts.Audit.AuditEventDto>>(),
            page => page.Items.Any(e => e.Action == "demo:CreateWidget"),
            what: "audit record of the role session's create");
        events.Items.ShouldAllBe(e => e.SessionName == "build-42");
    }

    [Fact]
    public async Task Only_principals_the_trust_policy_names_may_assume_the_role()
    {
        var (ci, _) = await UserAsync("ci", AssumeOnly.Name);
        var (_, otherCredentials) = await UserAsync("other", AssumeOnly.Name);
        await DeployRoleAsync(ci.Nrn);
        using var asOther = _server.SignedHttpClient(otherCredentials, _clock.GetUtcNow);
        var denied = await (await asOther.PostAsync("/v1/sts/assume-role", Json(new AssumeRoleRequest { Role = "deploy", SessionName = "sneaky" }))).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);
        denied.Detail!.ShouldContain("trust policy");
    }

    [Fact]
    public async Task A_session_policy_narrows_the_role_and_deleting_the_role_revokes_its_sessions()
    {
        var role = await DeployRoleAsync(await AdminNrnAsync());
        var session = await (await _admin.PostAsync("/v1/sts/assume-role", Json(new AssumeRoleRequest
        {
            Role = role.Nrn,
            SessionName = "read-only",
            Policy = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"demo:ListWidgets","Resource":"*"}]}""",
        }))).ShouldBeOkAsync<TemporaryCredentialsDto>();
        using var asRole = _server.SignedHttpClient(new SigV4Credentials(session.AccessKeyId, session.SecretAccessKey, session.SessionToken), _clock.GetUtcNow);
        (await asRole.GetAsync("/v1/demo/widgets")).StatusCode.ShouldBe(HttpStatusCode.OK);
        await (await asRole.PostJsonAsync("/v1/demo/widgets", new CreateWidgetRequest { Name = "nope", Spec = new WidgetSpec { Message = "m" } })).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);

        (await _admin.DeleteAsync($"/v1/iam/roles/{role.Id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        await (await asRole.GetAsync("/v1/demo/widgets")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);
    }

    [Fact]
    public async Task A_role_boundary_caps_its_sessions()
    {
        var role = await DeployRoleAsync(await AdminNrnAsync());
        (await _admin.PostAsync($"/v1/iam/roles/{role.Id}:put-boundary", Json(new PolicyAttachmentRequest { Policy = "DemoReadOnlyAccess" }))).StatusCode.ShouldBe(HttpStatusCode.OK);
        var session = await (await _admin.PostAsync("/v1/sts/assume-role", Json(new AssumeRoleRequest { Role = "deploy", SessionName = "bounded" }))).ShouldBeOkAsync<TemporaryCredentialsDto>();
        using var asRole = _server.SignedHttpClient(new SigV4Credentials(session.AccessKeyId, session.SecretAccessKey, session.SessionToken), _clock.GetUtcNow);
        (await asRole.GetAsync("/v1/demo/widgets")).StatusCode.ShouldBe(HttpStatusCode.OK);
        await (await asRole.PostJsonAsync("/v1/demo/widgets", new CreateWidgetRequest { Name = "capped", Spec = new WidgetSpec { Message = "m" } })).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);

        (await _admin.PostAsync($"/v1/iam/roles/{role.Id}:delete-boundary", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await asRole.PostJsonAsync("/v1/demo/widgets", new CreateWidgetRequest { Name = "uncapped", Spec = new WidgetSpec { Message = "m" } })).StatusCode.ShouldBe(HttpStatusCode.Created);
    }

    [Theory]
    [InlineData(899)]
    [InlineData(3601)]
    public async Task Durations_outside_the_roles_range_are_refused(int seconds)
    {
        var role = await DeployRoleAsync(await AdminNrnAsync());
        var problem = await (await _admin.PostAsync("/v1/sts/assume-role", Json(new AssumeRoleRequest { Role = role.Id.Length > 0 ? "deploy" : "", SessionName = "s1", DurationSeconds = seconds })))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.InvalidParameter);
        problem.Errors.Single().Field.ShouldBe("durationSeconds");
    }

    [Fact]
    public async Task A_trust_policy_must_name_a_principal()
    {
        var problem = await (await _admin.PostJsonAsync("/v1/iam/roles", new CreateRoleRequest
        {
            Name = "nobody-trusted",
            TrustPolicy = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}""",
        })).ShouldBeProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.InvalidParameter);
        problem.Errors.ShouldAllBe(e => e.Field == "trustPolicy");
    }

    private async Task<string> AdminNrnAsync() =>
        (await (await _admin.GetAsync("/v1/sts/caller-identity")).ShouldBeOkAsync<CallerIdentityDto>()).Principal;


    /// <summary>The built-in policy that lets a user call sts:AssumeRole (and nothing else of STS but who-am-I).</summary>
    private sealed class StsAssumeRolePolicy
    {
        public string Name => "StsFullAccess";
    }
}
