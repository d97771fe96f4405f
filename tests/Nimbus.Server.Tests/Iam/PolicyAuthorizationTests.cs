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

/// <summary>Deny unless a policy allows, through the real pipeline.</summary>
public sealed class PolicyAuthorizationTests : AdminServerTest
{
    private async Task<(ResourceDto User, HttpClient Client)> UserWithKeyAsync(string name)
    {
        var user = await (await Admin.PostJsonAsync("/v1/iam/users", new CreateUserRequest { Name = name })).ShouldBeOkAsync<ResourceDto>(HttpStatusCode.Created);
        var key = await (await Admin.PostJsonAsync("/v1/iam/access-keys", new CreateAccessKeyRequest { UserName = name })).ShouldBeOkAsync<CreateAccessKeyResponse>(HttpStatusCode.Created);
        return (user, Server.SignedHttpClient(new SigV4Credentials(key.AccessKey.AccessKeyId, key.SecretAccessKey)));
    }

    private async Task AttachAsync(string kindPath, string id, string policy) =>
        (await Admin.PostAsync($"/v1/iam/{kindPath}/{id}:attach-policy", Json(new PolicyAttachmentRequest { Policy = policy }))).StatusCode.ShouldBe(HttpStatusCode.OK);

    private async Task<ResourceDto> CreatePolicyAsync(string name, string document) =>
        await (await Admin.PostJsonAsync("/v1/iam/policies", new CreatePolicyRequest { Name = name, Document = document })).ShouldBeOkAsync<ResourceDto>(HttpStatusCode.Created);

    [Fact]
    public async Task A_user_without_policy_is_denied_everything_but_knowing_who_it_is()
    {
        var (user, client) = await UserWithKeyAsync("nobody");
        using var _ = client;
        (await client.GetAsync("/v1/sts/caller-identity")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var denied = await (await client.GetAsync("/v1/iam/users")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);
        denied.Detail!.ShouldContain(user.Nrn);
        denied.Detail!.ShouldContain("iam:ListUsers");
        await (await client.PostJsonAsync("/v1/demo/widgets", new CreateWidgetRequest { Name = "w", Spec = new WidgetSpec { Message = "m" } })).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);
        await (await client.GetAsync("/v1/demo/widgets")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);

        // The audit trail holds one record of each call, the denied ones included.
        var events = await Poll.UntilAsync(
            async () => await (await Admin.GetAsync("/v1/audit/events?principal=nobody")).ShouldBeOkAsync<PageDto<Contracts.Audit.AuditEventDto>>(),
            page => page.Items.Count >= 4,
            what: "audit records of nobody's calls");
        events.Items.Count.ShouldBe(4);
        events.Items.Count(e => e.Outcome == "denied" && e.ErrorCode == ErrorCodes.AccessDenied).ShouldBe(3);
        events.Items.Single(e => e.Outcome == "allowed").Action.ShouldBe("sts:GetCallerIdentity");
        events.Items.Select(e => e.Action).ShouldBe(["demo:ListWidgets", "demo:CreateWidget", "iam:ListUsers", "sts:GetCallerIdentity"]);
    }

    [Fact]
    public async Task Read_only_access_reads_but_cannot_write()
    {
        var (user, client) = await UserWithKeyAsync("auditor");
        using var _ = client;
        await AttachAsync("users", user.Id, "ReadOnlyAccess");
        (await client.GetAsync("/v1/iam/users")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.GetAsync("/v1/demo/widgets")).StatusCode.ShouldBe(HttpStatusCode.OK);
        await (await client.PostJsonAsync("/v1/iam/users", new CreateUserRequest { Name = "sneaky" })).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);

        // Detaching takes effect on the next request.
        (await Admin.PostAsync($"/v1/iam/users/{user.Id}:detach-policy", Json(new PolicyAttachmentRequest { Policy = "ReadOnlyAccess" }))).StatusCode.ShouldBe(HttpStatusCode.OK);
        await (await client.GetAsync("/v1/iam/users")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);
    }

    [Fact]
    public async Task A_deny_with_an_ip_condition_blocks_requests_from_loopback()
    {
        var (user, client) = await UserWithKeyAsync("remote-only");
        using var _ = client;
        await AttachAsync("users", user.Id, "AdministratorAccess");
        (await client.GetAsync("/v1/demo/widgets")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var policy = await CreatePolicyAsync("deny-loopback", """
            {
              "Version": "2012-10-17",
              "Statement": [
                { "Sid": "NoLoopback", "Effect": "Deny", "Action": "*", "Resource": "*",
                  "Condition": { "IpAddress": { "nimbus:SourceIp": ["127.0.0.0/8", "::1/128"] } } }
              ]
            }
            """);
        await AttachAsync("users", user.Id, policy.Name);
        var denied = await (await client.GetAsync("/v1/demo/widgets")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);
        denied.Detail!.ShouldContain("NoLoopback");
    }

    [Fact]
    public async Task Group_policies_apply_to_members_only_while_they_are_members()
    {
        var (_, client) = await UserWithKeyAsync("grace");
        using var __ = client;
        var group = await (await Admin.PostJsonAsync("/v1/iam/groups", new CreateGroupRequest { Name = "readers" })).ShouldBeOkAsync<ResourceDto>(HttpStatusCode.Created);
        await AttachAsync("groups", group.Id, "DemoReadOnlyAccess");
        await (await client.GetAsync("/v1/demo/widgets")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);

        (await Admin.PostAsync($"/v1/iam/groups/{group.Id}:add-user", Json(new GroupMemberRequest { UserName = "grace" }))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.GetAsync("/v1/demo/widgets")).StatusCode.ShouldBe(HttpStatusCode.OK);
        await (await client.GetAsync("/v1/iam/users")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);

        (await Admin.PostAsync($"/v1/iam/groups/{group.Id}:remove-user", Json(new GroupMemberRequest { UserName = "grace" }))).StatusCode.ShouldBe(HttpStatusCode.OK);
        await (await client.GetAsync("/v1/demo/widgets")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);
    }

    [Fact]
    public async Task A_new_policy_version_takes_effect_at_once_and_an_attached_policy_cannot_be_deleted()
    {
        var (user, client) = await UserWithKeyAsync("versioned");
        using var _ = client;
        var policy = await CreatePolicyAsync("widgets-read", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"demo:ListWidgets","Resource":"*"}]}""");
        policy.Id.ShouldStartWith("pol-");
        await AttachAsync("users", user.Id, policy.Id);
        (await client.GetAsync("/v1/demo/widgets")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var v2 = await (await Admin.PostAsync($"/v1/iam/policies/{policy.Id}/versions", Json(new CreatePolicyVersionRequest { Document = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"demo:GetWidget","Resource":"*"}]}""" }))).ShouldBeOkAsync<ResourceDto>();
        v2.Spec.GetProperty("defaultVersion").GetString().ShouldBe("v2");
        await (await client.GetAsync("/v1/demo/widgets")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);

        await (await Admin.DeleteAsync($"/v1/iam/policies/{policy.Id}")).ShouldBeProblemAsync(HttpStatusCode.Conflict, ErrorCodes.Conflict);
        (await Admin.PostAsync($"/v1/iam/users/{user.Id}:detach-policy", Json(new PolicyAttachmentRequest { Policy = "widgets-read" }))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Admin.DeleteAsync($"/v1/iam/policies/{policy.Id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task Malformed_documents_are_refused_with_line_and_column()
    {
        var problem = await (await Admin.PostJsonAsync("/v1/iam/policies", new CreatePolicyRequest
        {
            Name = "broken",
            Document = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [ { \"Effect\": \"allow\", \"Action\": \"*\", \"Resource\": \"*\" } ]\n}",
        })).ShouldBeProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.InvalidParameter);
        var error = problem.Errors.Single(e => e.Field == "document");
        error.Message.ShouldStartWith("line 3, column ");
        error.Message.ShouldContain("Allow");

        var unknown = await (await Admin.PostJsonAsync("/v1/iam/policies", new CreatePolicyRequest
        {
            Name = "unknown-action",
            Document = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"demo:FlyToTheMoon","Resource":"*"}]}""",
        })).ShouldBeProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.InvalidParameter);
        unknown.Errors.Single().Message.ShouldContain("demo:FlyToTheMoon");
        await (await Admin.PostJsonAsync("/v1/iam/policies", new CreatePolicyRequest { Name = "AdministratorAccess", Document = "{}" })).ShouldBeProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.InvalidParameter);
    }

    [Fact]
    public async Task Simulation_names_the_deciding_statement()
    {
        var (user, client) = await UserWithKeyAsync("simulated");
        client.Dispose();
        var policy = await CreatePolicyAsync("list-only", """{"Version":"2012-10-17","Statement":[{"Sid":"ListThem","Effect":"Allow","Action":"iam:List*","Resource":"*"},{"Sid":"NeverDelete","Effect":"Deny","Action":"iam:DeleteUser","Resource":"*"}]}""");
        await AttachAsync("users", user.Id, policy.Name);
        var answer = await (await Admin.PostAsync("/v1/iam/policies:simulate", Json(new SimulatePolicyRequest
        {
            UserName = "simulated",
            Actions = ["iam:ListUsers", "iam:DeleteUser", "iam:CreateUser"],
        }))).ShouldBeOkAsync<SimulatePolicyResponse>();
        answer.Results.Select(r => r.Decision).ShouldBe(["allowed", "explicitDeny", "implicitDeny"]);
        answer.Results[0].DecidingStatement!.ShouldContain("ListThem");
        answer.Results[1].DecidingStatement!.ShouldContain("NeverDelete");
        answer.Results[2].DecidingStatement.ShouldBeNull();
    }

    [Fact]
    public async Task A_permissions_boundary_caps_what_the_users_policies_grant()
    {
        var (user, client) = await UserWithKeyAsync("bounded");
        using var _ = client;
        await AttachAsync("users", user.Id, "AdministratorAccess");
        (await Admin.PostAsync($"/v1/iam/users/{user.Id}:put-boundary", Json(new PolicyAttachmentRequest { Policy = "DemoReadOnlyAccess" }))).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await client.GetAsync("/v1/demo/widgets")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var denied = await (await client.GetAsync("/v1/iam/users")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);
        denied.Detail!.ShouldContain("boundary");
        await (await client.PostJsonAsync("/v1/demo/widgets", new CreateWidgetRequest { Name = "w", Spec = new WidgetSpec { Message = "m" } })).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);

        (await Admin.PostAsync($"/v1/iam/users/{user.Id}:delete-boundary", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.GetAsync("/v1/iam/users")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_inline_policy_grants_until_it_is_deleted()
    {
        var (user, client) = await UserWithKeyAsync("inline");
        using var _ = client;
        await (await Admin.PutAsync($"/v1/iam/users/{user.Id}/policies/bad", Json(new PutInlinePolicyRequest { Document = "{\"Version\":\"2012-10-17\",\"Statement\":5}" })))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.InvalidParameter);
        var updated = await (await Admin.PutAsync($"/v1/iam/users/{user.Id}/policies/list-widgets", Json(new PutInlinePolicyRequest
        {
            Document = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"demo:ListWidgets","Resource":"*"}]}""",
        }))).ShouldBeOkAsync<ResourceDto>();
        updated.Spec.GetProperty("inlinePolicies").TryGetProperty("list-widgets", out var inlineDocument).ShouldBeTrue();
        (await client.GetAsync("/v1/demo/widgets")).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await Admin.DeleteAsync($"/v1/iam/users/{user.Id}/policies/list-widgets")).StatusCode.ShouldBe(HttpStatusCode.OK);
        await (await client.GetAsync("/v1/demo/widgets")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);
        await (await Admin.DeleteAsync($"/v1/iam/users/{user.Id}/policies/list-widgets")).ShouldBeProblemAsync(HttpStatusCode.NotFound, ErrorCodes.NotFound);
    }

    [Fact]
    public async Task The_root_user_cannot_be_deleted()
    {
        var users = await (await Admin.GetAsync("/v1/iam/users?name=admin")).ShouldBeOkAsync<PageDto<ResourceDto>>();
        var admin = users.Items.Single();
        admin.Spec.GetProperty("root").GetBoolean().ShouldBeTrue();
        await (await Admin.DeleteAsync($"/v1/iam/users/{admin.Id}")).ShouldBeProblemAsync(HttpStatusCode.Conflict, ErrorCodes.Conflict);
    }
}
