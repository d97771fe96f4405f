using System.Net;
using Nimbus.Contracts.Demo;
using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Iam;
using Nimbus.Contracts.Resources;
using Nimbus.Contracts.Signing;
using Nimbus.Testing;
using Shouldly;
using Xunit;

using static Nimbus.Server.Tests.ApiAssertions;

namespace Nimbus.Server.Tests.Iam;

/// <summary>Inline policies of groups and roles (users had them first): put, get, list, delete, evaluated and simulated.</summary>
public sealed class InlinePolicyTests : IAsyncLifetime
{
    private const string ListWidgets = """{"Version":"2012-10-17","Statement":[{"Sid":"ListThem","Effect":"Allow","Action":"demo:ListWidgets","Resource":"*"}]}""";
    private const string DenyCreate = """{"Version":"2012-10-17","Statement":[{"Sid":"NoCreate","Effect":"Deny","Action":"demo:CreateWidget","Resource":"*"}]}""";
    private NimbusServer _server = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _server = await NimbusServer.StartAsync();
        _admin = _server.SignedHttpClient();
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _server.DisposeAsync();
    }

    private async Task<HttpResponseMessage> PutAsync(string path, string document) =>
        await _admin.PutAsync(path, Json(new PutInlinePolicyRequest { Document = document }));

    private async Task<(ResourceDto User, HttpClient Client)> UserWithKeyAsync(string name)
    {
        var user = await (await _admin.PostJsonAsync("/v1/iam/users", new CreateUserRequest { Name = name })).ShouldBeOkAsync<ResourceDto>(HttpStatusCode.Created);
        var key = await (await _admin.PostJsonAsync("/v1/iam/access-keys", new CreateAccessKeyRequest { UserName = name })).ShouldBeOkAsync<CreateAccessKeyResponse>(HttpStatusCode.Created);
        return (user, _server.SignedHttpClient(new SigV4Credentials(key.AccessKey.AccessKeyId, key.SecretAccessKey)));
    }

    [Fact]
    public async Task A_group_inline_policy_applies_to_members_and_can_be_read_back_exactly()
    {
        var (_, member) = await UserWithKeyAsync("member");
        using var _ = member;
        var group = await (await _admin.PostJsonAsync("/v1/iam/groups", new CreateGroupRequest { Name = "listers" })).ShouldBeOkAsync<ResourceDto>(HttpStatusCode.Created);
        (await _admin.PostAsync($"/v1/iam/groups/{group.Id}:add-user", Json(new GroupMemberRequest { UserName = "member" }))).StatusCode.ShouldBe(HttpStatusCode.OK);
        await (await member.GetAsync("/v1/demo/widgets")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);

        var updated = await (await PutAsync($"/v1/iam/groups/{group.Id}/policies/list-widgets", ListWidgets)).ShouldBeOkAsync<ResourceDto>();
        updated.Spec.GetProperty("inlinePolicies").GetProperty("list-widgets").GetString().ShouldBe(ListWidgets);
        (await member.GetAsync("/v1/demo/widgets")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var one = await (await _admin.GetAsync($"/v1/iam/groups/{group.Id}/policies/list-widgets")).ShouldBeOkAsync<InlinePolicyDto>();
        one.ShouldBe(new InlinePolicyDto { Name = "list-widgets", Document = ListWidgets });
        (await PutAsync($"/v1/iam/groups/{group.Id}/policies/no-create", DenyCreate)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var all = await (await _admin.GetAsync($"/v1/iam/groups/{group.Id}/policies")).ShouldBeOkAsync<PageDto<InlinePolicyDto>>();
        all.Items.Select(p => p.Name).ShouldBe(["list-widgets", "no-create"]);

        // The simulation of a member shows the group's inline statement deciding.
        var simulated = await (await _admin.PostAsync("/v1/iam/policies:simulate", Json(new SimulatePolicyRequest { UserName = "member", Actions = ["demo:ListWidgets", "demo:CreateWidget"] }))).ShouldBeOkAsync<SimulatePolicyResponse>();
        simulated.Results.Select(r => r.Decision).ShouldBe(["allowed", "explicitDeny"]);
        simulated.Results[0].DecidingStatement!.ShouldContain("list-widgets (inline, group listers)");

        (await _admin.DeleteAsync($"/v1/iam/groups/{group.Id}/policies/list-widgets")).StatusCode.ShouldBe(HttpStatusCode.OK);
        await (await member.GetAsync("/v1/demo/widgets")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);
        await (await _admin.DeleteAsync($"/v1/iam/groups/{group.Id}/policies/list-widgets")).ShouldBeProblemAsync(HttpStatusCode.NotFound, ErrorCodes.NotFound);
        await (await _admin.GetAsync($"/v1/iam/groups/{group.Id}/policies/list-widgets")).ShouldBeProblemAsync(HttpStatusCode.NotFound, ErrorCodes.NotFound);
    }

    [Fact]
    public async Task A_role_inline_policy_applies_to_its_sessions_and_to_its_simulation()
    {
        var (caller, client) = await UserWithKeyAsync("assumer");
        using var _ = client;
        (await _admin.PostAsync($"/v1/iam/users/{caller.Id}:attach-policy", Json(new PolicyAttachmentRequest { Policy = "StsFullAccess" }))).StatusCode.ShouldBe(HttpStatusCode.OK);
        var role = await (await _admin.PostJsonAsync("/v1/iam/roles", new CreateRoleRequest
        {
            Name = "lister",
            TrustPolicy = $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Nimbus":"{{caller.Nrn}}"},"Action":"sts:AssumeRole"}]}""",
        })).ShouldBeOkAsync<ResourceDto>(HttpStatusCode.Created);
        (await PutAsync($"/v1/iam/roles/{role.Id}/policies/list-widgets", ListWidgets)).StatusCode.ShouldBe(HttpStatusCode.OK);

        var credentials = await (await client.PostJsonAsync("/v1/sts/assume-role", new AssumeRoleRequest { Role = "lister", SessionName = "s1" })).ShouldBeOkAsync<TemporaryCredentialsDto>();
        using var session = _server.SignedHttpClient(new SigV4Credentials(credentials.AccessKeyId, credentials.SecretAccessKey, credentials.SessionToken));
        (await session.GetAsync("/v1/demo/widgets")).StatusCode.ShouldBe(HttpStatusCode.OK);
        await (await session.PostJsonAsync("/v1/demo/widgets", new CreateWidgetRequest { Name = "w", Spec = new WidgetSpec { Message = "m" } })).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);

        var simulated = await (await _admin.PostAsync("/v1/iam/policies:simulate", Json(new SimulatePolicyRequest { RoleName = "lister", Actions = ["demo:ListWidgets", "demo:CreateWidget"] }))).ShouldBeOkAsync<SimulatePolicyResponse>();
        simulated.Results.Select(r => r.Decision).ShouldBe(["allowed", "implicitDeny"]);
        simulated.Results[0].DecidingStatement!.ShouldContain("list-widgets (inline)");

        var listed = await (await _admin.GetAsync($"/v1/iam/roles/{role.Id}/policies")).ShouldBeOkAsync<PageDto<InlinePolicyDto>>();
        listed.Items.ShouldHaveSingleItem().Name.ShouldBe("list-widgets");
        (await _admin.DeleteAsync($"/v1/iam/roles/{role.Id}/policies/list-widgets")).StatusCode.ShouldBe(HttpStatusCode.OK);
        await (await session.GetAsync("/v1/demo/widgets")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);
    }

    [Fact]
    public async Task Bad_inline_policies_are_refused_with_clear_errors()
    {
        var group = await (await _admin.PostJsonAsync("/v1/iam/groups", new CreateGroupRequest { Name = "strict" })).ShouldBeOkAsync<ResourceDto>(HttpStatusCode.Created);

        var malformed = await (await PutAsync($"/v1/iam/groups/{group.Id}/policies/bad", "{\n  \"Statement\": [ { \"Effect\": \"allow\", \"Action\": \"*\", \"Resource\": \"*\" } ]\n}")).ShouldBeProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.InvalidParameter);
        malformed.Errors.Single().Message.ShouldStartWith("line 2, column ");
        await (await PutAsync($"/v1/iam/groups/{group.Id}/policies/bad", "")).ShouldBeProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.InvalidParameter);
        await (await PutAsync($"/v1/iam/groups/{group.Id}/policies/bad%20name", ListWidgets)).ShouldBeProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.InvalidParameter);
        await (await PutAsync("/v1/iam/groups/grp-missing/policies/p", ListWidgets)).ShouldBeProblemAsync(HttpStatusCode.NotFound, ErrorCodes.NotFound);
        await (await _admin.GetAsync("/v1/iam/roles/rol-missing/policies")).ShouldBeProblemAsync(HttpStatusCode.NotFound, ErrorCodes.NotFound);

        // A group id under /roles is not a role.
        await (await PutAsync($"/v1/iam/roles/{group.Id}/policies/p", ListWidgets)).ShouldBeProblemAsync(HttpStatusCode.NotFound, ErrorCodes.NotFound);

        for (var i = 0; i < 10; i++)
        {
            (await PutAsync($"/v1/iam/groups/{group.Id}/policies/p{i}", ListWidgets)).StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        await (await PutAsync($"/v1/iam/groups/{group.Id}/policies/p10", ListWidgets)).ShouldBeProblemAsync(HttpStatusCode.Conflict, ErrorCodes.QuotaExceeded);
        (await PutAsync($"/v1/iam/groups/{group.Id}/policies/p9", DenyCreate)).StatusCode.ShouldBe(HttpStatusCode.OK);

        await (await _admin.PostAsync("/v1/iam/policies:simulate", Json(new SimulatePolicyRequest { UserName = "a", RoleName = "b", Actions = ["demo:ListWidgets"] }))).ShouldBeProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.InvalidParameter);
        await (await _admin.PostAsync("/v1/iam/policies:simulate", Json(new SimulatePolicyRequest { RoleName = "nope", Actions = ["demo:ListWidgets"] }))).ShouldBeProblemAsync(HttpStatusCode.NotFound, ErrorCodes.NotFound);
    }

    [Fact]
    public async Task Inline_policy_calls_need_their_own_actions()
    {
        var (user, client) = await UserWithKeyAsync("reader");
        using var _ = client;
        (await _admin.PostAsync($"/v1/iam/users/{user.Id}:attach-policy", Json(new PolicyAttachmentRequest { Policy = "IamReadOnlyAccess" }))).StatusCode.ShouldBe(HttpStatusCode.OK);
        var group = await (await _admin.PostJsonAsync("/v1/iam/groups", new CreateGroupRequest { Name = "audited" })).ShouldBeOkAsync<ResourceDto>(HttpStatusCode.Created);
        (await PutAsync($"/v1/iam/groups/{group.Id}/policies/p", ListWidgets)).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await client.GetAsync($"/v1/iam/groups/{group.Id}/policies")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.GetAsync($"/v1/iam/groups/{group.Id}/policies/p")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var denied = await (await client.PutAsync($"/v1/iam/groups/{group.Id}/policies/p", Json(new PutInlinePolicyRequest { Document = ListWidgets }))).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);
        denied.Detail!.ShouldContain("iam:PutGroupPolicy");
        await (await client.DeleteAsync($"/v1/iam/groups/{group.Id}/policies/p")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);
    }
}
