using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Nimbus.Contracts.Iam;
using Nimbus.Contracts.Resources;
using Nimbus.Core.Api;
using Nimbus.Testing;
using Shouldly;
using Xunit;

using static Nimbus.Server.Tests.ApiAssertions;

namespace Nimbus.Server.Tests.Iam;

/// <summary>
/// The full form of <see cref="IAuthorizer"/> as a service (S3) calls it, against real users: resource
/// policies, the owning account, anonymous callers, service condition keys and lazily read tags.
/// </summary>
public sealed class FullFormAuthorizationTests : IAsyncLifetime
{
    private const string Widget = "nrn:nimbus:demo:local:{0}:widget/wdg-shared";
    private NimbusServer _server = null!;
    private HttpClient _admin = null!;
    private IAuthorizer _authorizer = null!;
    private string _account = "";

    public async Task InitializeAsync()
    {
        _server = await NimbusServer.StartAsync();
        _admin = _server.SignedHttpClient();
        _authorizer = _server.Host.Services.GetRequiredService<IAuthorizer>();
        var identity = await (await _admin.GetAsync("/v1/sts/caller-identity")).ShouldBeOkAsync<CallerIdentityDto>();
        _account = identity.Account;
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _server.DisposeAsync();
    }

    private string WidgetNrn => string.Format(System.Globalization.CultureInfo.InvariantCulture, Widget, _account);

    private async Task<CallerContext> UserAsync(string name, string? policy = null)
    {
        var user = await (await _admin.PostJsonAsync("/v1/iam/users", new CreateUserRequest { Name = name })).ShouldBeOkAsync<ResourceDto>(HttpStatusCode.Created);
        if (policy is not null)
        {
            (await _admin.PutAsync($"/v1/iam/users/{user.Id}/policies/inline", Json(new PutInlinePolicyRequest { Document = policy }))).StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        return new CallerContext { Account = _account, Principal = user.Nrn, UserName = name, SourceIp = IPAddress.Loopback };
    }


    private string SharePolicy(string principal) => $$"""
        { "Version": "2012-10-17", "Statement": [ { "Sid": "Share", "Effect": "Allow", "Principal": {{principal}}, "Action": "demo:GetWidget", "Resource": "{{WidgetNrn}}" } ] }
        """;

    [Fact]
    public async Task An_anonymous_caller_needs_a_resource_policy_for_everyone()
    {
        var anonymous = CallerContext.Anonymous(IPAddress.Parse("192.0.2.10"));
        anonymous.IsAnonymous.ShouldBeTrue();
        anonymous.Account.ShouldBe("");

        (await _authorizer.AuthorizeAsync(anonymous, new AuthorizationTarget { Action = "demo:GetWidget", Resources = [WidgetNrn], ResourcePolicy = SharePolicy("\"*\"") }, default)).Allowed.ShouldBeTrue();
        (await _authorizer.AuthorizeAsync(anonymous, new AuthorizationTarget { Action = "demo:GetWidget", Resources = [WidgetNrn], ResourcePolicy = SharePolicy($$"""{ "AWS": "{{_account}}" }""") }, default)).Allowed.ShouldBeFalse();
        (await _authorizer.AuthorizeAsync(anonymous, new AuthorizationTarget { Action = "demo:GetWidget", Resources = [WidgetNrn] }, default)).Allowed.ShouldBeFalse();
        (await _authorizer.AuthorizeAsync(anonymous, "sts:GetCallerIdentity", ["*"], default)).Allowed.ShouldBeFalse();
    }

    [Fact]
    public async Task A_resource_policy_naming_a_user_of_the_account_grants_without_an_identity_policy()
    {
        var carol = await UserAsync("carol");

        (await _authorizer.AuthorizeAsync(carol, new AuthorizationTarget { Action = "demo:GetWidget", Resources = [WidgetNrn] }, default)).Allowed.ShouldBeFalse();
        (await _authorizer.AuthorizeAsync(carol, new AuthorizationTarget { Action = "demo:GetWidget", Resources = [WidgetNrn], ResourcePolicy = SharePolicy($$"""{ "Nimbus": "{{carol.Principal}}" }""") }, default)).Allowed.ShouldBeTrue();
        (await _authorizer.AuthorizeAsync(carol, new AuthorizationTarget { Action = "demo:UpdateWidget", Resources = [WidgetNrn], ResourcePolicy = SharePolicy($$"""{ "Nimbus": "{{carol.Principal}}" }""") }, default)).Allowed.ShouldBeFalse();
    }

    [Fact]
    public async Task A_resource_policy_naming_a_role_grants_its_sessions_by_role_id_or_name()
    {
        var role = await (await _admin.PostJsonAsync("/v1/iam/roles", new CreateRoleRequest
        {
            Name = "reader",
            TrustPolicy = $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Nimbus":"{{_account}}"},"Action":"sts:AssumeRole"}]}""",
        })).ShouldBeOkAsync<ResourceDto>(HttpStatusCode.Created);
        var session = new CallerContext
        {
            Account = _account,
            Principal = $"nrn:nimbus:sts::{_account}:assumed-role/reader/build-7",
            RoleId = role.Id,
            SessionName = "build-7",
            SourceIp = IPAddress.Loopback,
        };
        Task<AuthorizationDecision> Get(string principal) =>
            _authorizer.AuthorizeAsync(session, new AuthorizationTarget { Action = "demo:GetWidget", Resources = [WidgetNrn], ResourcePolicy = SharePolicy(principal) }, default).AsTask();

        (await Get($$"""{ "Nimbus": "{{role.Nrn}}" }""")).Allowed.ShouldBeTrue();
        (await Get($$"""{ "AWS": "arn:aws:iam::{{_account}}:role/reader" }""")).Allowed.ShouldBeTrue();
        (await Get($$"""{ "Nimbus": "{{session.Principal}}" }""")).Allowed.ShouldBeTrue();
        (await Get($$"""{ "AWS": "arn:aws:iam::{{_account}}:role/writer" }""")).Allowed.ShouldBeFalse();
    }

    [Fact]
    public async Task Another_accounts_root_needs_the_resource_policy_of_the_owning_account()
    {
        var tenant = await (await _admin.PostJsonAsync("/v1/iam/accounts", new CreateAccountRequest { Name = "tenant-b" })).ShouldBeOkAsync<CreateAccountResponse>(HttpStatusCode.Created);
        var tenantRoot = new CallerContext { Account = tenant.Account.Id, Principal = tenant.RootAccessKey.AccessKey.Principal, SourceIp = IPAddress.Loopback };
        const string bucketObject = "nrn:nimbus:demo:::shared/readme";
        var target = new AuthorizationTarget { Action = "demo:GetWidget", Resources = [bucketObject], ResourceAccount = _account };

        (await _authorizer.AuthorizeAsync(tenantRoot, target, default)).Reason.ShouldContain("in another account");
        var shared = await _authorizer.AuthorizeAsync(tenantRoot, target with
        {
            ResourcePolicy = $$"""{ "Version": "2012-10-17", "Statement": [ { "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::{{tenant.Account.Id}}:root" }, "Action": "demo:GetWidget", "Resource": "arn:aws:demo:::shared/*" } ] }""",
        }, default);
        shared.Allowed.ShouldBeTrue(shared.Reason);

        // In its own account the tenant's root needs nothing.
        (await _authorizer.AuthorizeAsync(tenantRoot, target with { ResourceAccount = tenant.Account.Id }, default)).Allowed.ShouldBeTrue();
    }

    [Fact]
    public async Task Service_condition_keys_reach_conditions_but_cannot_replace_the_callers_keys()
    {
        var dave = await UserAsync("dave", """
            { "Version": "2012-10-17", "Statement": [ { "Effect": "Allow", "Action": "demo:ListWidgets", "Resource": "*",
              "Condition": { "StringLike": { "demo:prefix": "dave/*" }, "IpAddress": { "nimbus:SourceIp": "127.0.0.0/8" } } } ] }
            """);
        AuthorizationTarget List(string key, params string[] values) =>
            new() { Action = "demo:ListWidgets", Resources = ["*"], ConditionKeys = new Dictionary<string, IReadOnlyList<string>> { [key] = values } };

        (await _authorizer.AuthorizeAsync(dave, List("demo:prefix", "dave/photos/"), default)).Allowed.ShouldBeTrue();
        (await _authorizer.AuthorizeAsync(dave, List("demo:prefix", "erin/"), default)).Allowed.ShouldBeFalse();
        (await _authorizer.AuthorizeAsync(dave with { SourceIp = IPAddress.Parse("192.0.2.1") }, List("demo:prefix", "dave/"), default)).Allowed.ShouldBeFalse();
        var spoofed = List("demo:prefix", "dave/") with
        {
            ConditionKeys = new Dictionary<string, IReadOnlyList<string>> { ["demo:prefix"] = ["dave/"], ["aws:SourceIp"] = ["127.0.0.1"] },
        };
        (await _authorizer.AuthorizeAsync(dave with { SourceIp = IPAddress.Parse("192.0.2.1") }, spoofed, default)).Allowed.ShouldBeFalse();
    }

    [Fact]
    public async Task Tags_are_read_only_when_a_policy_tests_them()
    {
        var reads = 0;
        ValueTask<IReadOnlyDictionary<string, string>?> Load(CancellationToken _)
        {
            reads++;
            return ValueTask.FromResult<IReadOnlyDictionary<string, string>?>(new Dictionary<string, string> { ["team"] = "blue" });
        }

        var target = new AuthorizationTarget { Action = "demo:GetWidget", Resources = [WidgetNrn], LoadResourceTags = Load, LoadRequestTags = Load };
        var plain = await UserAsync("plain", """{ "Version": "2012-10-17", "Statement": [ { "Effect": "Allow", "Action": "demo:*", "Resource": "*" } ] }""");
        var tagged = await UserAsync("tagged", """{ "Version": "2012-10-17", "Statement": [ { "Effect": "Allow", "Action": "demo:*", "Resource": "*", "Condition": { "StringEquals": { "nimbus:ResourceTag/team": "blue" } } } ] }""");
        var root = new CallerContext { Account = _account, Principal = (await (await _admin.GetAsync("/v1/sts/caller-identity")).ShouldBeOkAsync<CallerIdentityDto>()).Principal };

        (await _authorizer.AuthorizeAsync(root, target, default)).Allowed.ShouldBeTrue();
        (await _authorizer.AuthorizeAsync(plain, target, default)).Allowed.ShouldBeTrue();
        reads.ShouldBe(0);
        (await _authorizer.AuthorizeAsync(tagged, target, default)).Allowed.ShouldBeTrue();
        reads.ShouldBe(1);
        (await _authorizer.AuthorizeAsync(tagged, target with { LoadResourceTags = null, ResourceTags = new Dictionary<string, string> { ["team"] = "red" } }, default)).Allowed.ShouldBeFalse();
    }
}
