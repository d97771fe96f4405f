using System.Net;
using Nimbus.Cli.Tests.Fakes;
using Nimbus.Contracts.Iam;
using Shouldly;
using Xunit;

namespace Nimbus.Cli.Tests.Sdk;

public sealed class PoliciesClientTests
{
    [Fact]
    public async Task Policy_verbs_use_their_routes()
    {
        var (client, handler, _) = TestClients.Create();
        handler.Fallback = r => (r.Method.Method, r.Uri.AbsolutePath) switch
        {
            ("DELETE", _) => CannedHandler.Response(HttpStatusCode.NoContent),
            ("GET", "/v1/iam/policies") => CannedHandler.Response(HttpStatusCode.OK, Canned.Page("", Canned.Policy())),
            ("GET", "/v1/iam/policies:builtin") => CannedHandler.Response(HttpStatusCode.OK, """{"items":[{"name":"ReadOnlyAccess","nrn":"nrn:nimbus:iam::nimbus:policy/ReadOnlyAccess","document":"{}"}],"nextToken":null}"""),
            ("POST", "/v1/iam/policies:simulate") => CannedHandler.Response(HttpStatusCode.OK, """{"results":[{"action":"iam:ListUsers","resource":"*","decision":"implicitDeny","decidingStatement":null,"reason":"no statement allows it"}]}"""),
            ("POST", "/v1/iam/policies") => CannedHandler.Response(HttpStatusCode.Created, Canned.Policy()),
            _ => CannedHandler.Response(HttpStatusCode.OK, Canned.Policy()),
        };

        (await client.Iam.Policies.CreateAsync(new CreatePolicyRequest { Name = "auditors", Document = "{}" })).Id.ShouldBe("pol-0001");
        await client.Iam.Policies.GetAsync("pol-0001");
        (await client.Iam.Policies.FindByNameAsync("auditors"))!.Name.ShouldBe("auditors");
        await client.Iam.Policies.ListAsync(pageSize: 5, nextToken: "t1");
        (await client.Iam.Policies.ListBuiltInAsync()).Items.ShouldHaveSingleItem().Name.ShouldBe("ReadOnlyAccess");
        await client.Iam.Policies.CreateVersionAsync("pol-0001", new CreatePolicyVersionRequest { Document = "{}" });
        await client.Iam.Policies.DeleteAsync("pol-0001");
        (await client.Iam.Policies.SimulateAsync(new SimulatePolicyRequest { UserName = "alice", Actions = ["iam:ListUsers"] })).Results.ShouldHaveSingleItem().Decision.ShouldBe("implicitDeny");

        handler.Requests.Select(r => $"{r.Method} {r.Uri.PathAndQuery}").ShouldBe(
        [
            "POST /v1/iam/policies",
            "GET /v1/iam/policies/pol-0001",
            "GET /v1/iam/policies?name=auditors",
            "GET /v1/iam/policies?pageSize=5&nextToken=t1",
            "GET /v1/iam/policies:builtin",
            "POST /v1/iam/policies/pol-0001/versions",
            "DELETE /v1/iam/policies/pol-0001",
            "POST /v1/iam/policies:simulate",
        ]);
        handler.Requests[0].Header("Idempotency-Key").ShouldNotBeNullOrEmpty();
        handler.Requests[5].BodyText.ShouldBe("""{"document":"{}","setAsDefault":null}""");
    }

    [Fact]
    public async Task Users_and_groups_attach_and_detach_policies()
    {
        var (client, handler, _) = TestClients.Create();
        handler.Fallback = r => CannedHandler.Response(HttpStatusCode.OK, Canned.Resource(r.Uri.AbsolutePath.Contains("/users/", StringComparison.Ordinal) ? "iam/user" : "iam/group", "x-1", "x"));

        await client.Iam.Users.AttachPolicyAsync("usr-1", "ReadOnlyAccess");
        await client.Iam.Users.DetachPolicyAsync("usr-1", "ReadOnlyAccess");
        await client.Iam.Groups.AttachPolicyAsync("grp-1", "pol-1");
        (await client.Iam.Groups.DetachPolicyAsync("grp-1", "pol-1")).Kind.ShouldBe("iam/group");

        handler.Requests.Select(r => $"{r.Method} {r.Uri.PathAndQuery} {r.BodyText}").ShouldBe(
        [
            """POST /v1/iam/users/usr-1:attach-policy {"policy":"ReadOnlyAccess"}""",
            """POST /v1/iam/users/usr-1:detach-policy {"policy":"ReadOnlyAccess"}""",
            """POST /v1/iam/groups/grp-1:attach-policy {"policy":"pol-1"}""",
            """POST /v1/iam/groups/grp-1:detach-policy {"policy":"pol-1"}""",
        ]);
    }
}
