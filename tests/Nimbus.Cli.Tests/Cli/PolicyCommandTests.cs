using System.Net;
using System.Text.Json;
using Nimbus.Cli.Tests.EndToEnd.Support;
using Nimbus.Cli.Tests.Fakes;
using Shouldly;
using Xunit;

namespace Nimbus.Cli.Tests.Cli;

public sealed class PolicyCommandTests : IDisposable
{
    private const string Document = """
        {
          "Version": "2012-10-17",
          "Statement": [ { "Sid": "Read", "Effect": "Allow", "Action": "iam:List*", "Resource": "*" } ]
        }

        """;

    private const string BuiltIns = """
        {"items":[{"name":"AdministratorAccess","nrn":"nrn:nimbus:iam::nimbus:policy/AdministratorAccess","document":"{}"},
                  {"name":"ReadOnlyAccess","nrn":"nrn:nimbus:iam::nimbus:policy/ReadOnlyAccess","document":"{\"Statement\":[]}"}],"nextToken":null}
        """;

    private readonly TempDirectory _files = new();

    public void Dispose() => _files.Dispose();

    private static string Quote(string text) => JsonSerializer.Serialize(text);

    private static CannedHandler Problem(CannedHandler handler, HttpStatusCode status, string code, string detail, string errors = "[]") =>
        handler.Answer(status, Canned.Problem(code, detail, errors: errors), "application/problem+json");

    [Fact]
    public async Task Create_reads_the_document_file_and_sends_it_as_written()
    {
        var file = _files.Combine("read.json");
        await File.WriteAllTextAsync(file, Document);
        var handler = new CannedHandler().Answer(HttpStatusCode.Created, Canned.Policy(name: "readers", v1: Quote(Document), defaultVersion: "v1"));
        using var cli = new CliRun(handler);

        var result = await cli.RunAsync(["iam", "policy", "create", "--name", "readers", "--document", file, "--description", "read only"]);

        result.ExitCode.ShouldBe(0, result.ToString());
        var request = handler.Requests.ShouldHaveSingleItem();
        $"{request.Method} {request.Uri.PathAndQuery}".ShouldBe("POST /v1/iam/policies");
        request.Header("Idempotency-Key").ShouldNotBeNullOrEmpty();
        var body = request.BodyText.ParseJson();
        body.ShouldHaveProperties("name", "description", "document");
        body.Str("name").ShouldBe("readers");
        body.Str("description").ShouldBe("read only");
        body.Str("document").ShouldBe(Document);
        result.Stdout.ShouldBe(
            "ID        NAME     DEFAULT VERSION  VERSIONS  DESCRIPTION  CREATED\n" +
            "pol-0001  readers  v1               2         read only    2025-01-02 03:04:05Z\n");
    }

    [Fact]
    public async Task Create_reads_the_document_from_stdin_for_a_dash()
    {
        var handler = new CannedHandler().Answer(HttpStatusCode.Created, Canned.Policy());
        using var cli = new CliRun(handler);

        var result = await cli.RunAsync(["iam", "policy", "create", "--name", "readers", "--document", "-"], stdin: Document);

        result.ExitCode.ShouldBe(0, result.ToString());
        handler.Requests.ShouldHaveSingleItem().BodyText.ParseJson().Str("document").ShouldBe(Document);
    }

    [Fact]
    public async Task A_document_file_that_cannot_be_read_is_a_usage_error_naming_it()
    {
        var handler = new CannedHandler();
        using var cli = new CliRun(handler);
        var missing = _files.Combine("missing.json");

        var result = await cli.RunAsync(["iam", "policy", "create", "--name", "readers", "--document", missing]);

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stderr.ShouldStartWith($"error: cannot read policy document '{missing}': ");
        handler.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task An_invalid_document_prints_each_field_error_and_exits_1()
    {
        var file = _files.Combine("bad.json");
        await File.WriteAllTextAsync(file, "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": 42\n}\n");
        var handler = Problem(new CannedHandler(), HttpStatusCode.BadRequest, "InvalidParameter", "The request has invalid fields.", """
            [{"field":"document","message":"line 3, column 16: expected an array or an object"},
             {"field":"name","message":"must be unique in the account"}]
            """);
        using var cli = new CliRun(handler);

        var result = await cli.RunAsync(["iam", "policy", "create", "--name", "bad", "--document", file]);

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stderr.ShouldBe(
            "error: InvalidParameter: The request has invalid fields.\n" +
            "  document: line 3, column 16: expected an array or an object\n" +
            "  name: must be unique in the account\n" +
            "request id: req-1\n");
    }

    [Fact]
    public async Task List_shows_the_account_policies()
    {
        var handler = new CannedHandler().Answer(HttpStatusCode.OK, Canned.Page("", Canned.Policy()));
        using var cli = new CliRun(handler);

        var result = await cli.RunAsync("iam policy list");

        result.ExitCode.ShouldBe(0, result.ToString());
        handler.Requests.ShouldHaveSingleItem().Uri.PathAndQuery.ShouldBe("/v1/iam/policies");
        result.Stdout.ShouldBe(
            "ID        NAME      DEFAULT VERSION  VERSIONS  DESCRIPTION  CREATED\n" +
            "pol-0001  auditors  v2               2         read only    2025-01-02 03:04:05Z\n");
    }

    [Fact]
    public async Task List_builtin_shows_names_and_nrns()
    {
        var handler = new CannedHandler().Answer(HttpStatusCode.OK, BuiltIns);
        using var cli = new CliRun(handler);

        var result = await cli.RunAsync("iam policy list --builtin");

        result.ExitCode.ShouldBe(0, result.ToString());
        handler.Requests.ShouldHaveSingleItem().Uri.PathAndQuery.ShouldBe("/v1/iam/policies:builtin");
        result.Stdout.ShouldBe(
            "NAME                 NRN\n" +
            "AdministratorAccess  nrn:nimbus:iam::nimbus:policy/AdministratorAccess\n" +
            "ReadOnlyAccess       nrn:nimbus:iam::nimbus:policy/ReadOnlyAccess\n");
    }

    [Fact]
    public async Task Get_by_name_with_document_prints_the_default_version_as_written()
    {
        var handler = new CannedHandler().Answer(HttpStatusCode.OK, Canned.Page("", Canned.Policy(v1: Quote("{\"old\":true}"), v2: Quote(Document))));
        using var cli = new CliRun(handler);

        var result = await cli.RunAsync("iam policy get auditors --document");

        result.ExitCode.ShouldBe(0, result.ToString());
        handler.Requests.ShouldHaveSingleItem().Uri.PathAndQuery.ShouldBe("/v1/iam/policies?name=auditors");
        result.Stdout.ShouldBe(Document);
    }

    [Fact]
    public async Task Get_by_id_reads_the_policy_directly_and_follows_the_default_version()
    {
        var handler = new CannedHandler().Answer(HttpStatusCode.OK, Canned.Policy(v1: Quote("{\"v\":1}"), v2: Quote("{\"v\":2}"), defaultVersion: "v1"));
        using var cli = new CliRun(handler);

        var result = await cli.RunAsync("iam policy get pol-0001 --document");

        result.ExitCode.ShouldBe(0, result.ToString());
        handler.Requests.ShouldHaveSingleItem().Uri.PathAndQuery.ShouldBe("/v1/iam/policies/pol-0001");
        result.Stdout.ShouldBe("{\"v\":1}\n");
    }

    [Fact]
    public async Task Get_of_an_unknown_name_is_not_found()
    {
        var handler = new CannedHandler().Answer(HttpStatusCode.OK, Canned.Page("")).Answer(HttpStatusCode.OK, BuiltIns);
        using var cli = new CliRun(handler);

        var result = await cli.RunAsync("iam policy get nope");

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stderr.ShouldBe("error: NotFound: Policy 'nope' was not found.\n");
        handler.Requests.Select(r => r.Uri.PathAndQuery).ShouldBe(["/v1/iam/policies?name=nope", "/v1/iam/policies:builtin"]);
    }

    [Fact]
    public async Task Get_of_a_built_in_name_shows_the_built_in_policy()
    {
        var handler = new CannedHandler()
            .Answer(HttpStatusCode.OK, Canned.Page("")).Answer(HttpStatusCode.OK, BuiltIns)
            .Answer(HttpStatusCode.OK, Canned.Page("")).Answer(HttpStatusCode.OK, BuiltIns);
        using var cli = new CliRun(handler);

        var table = await cli.RunAsync("iam policy get ReadOnlyAccess");
        var document = await cli.RunAsync("iam policy get ReadOnlyAccess --document");

        table.ExitCode.ShouldBe(0, table.ToString());
        table.Stdout.ShouldBe(
            "NAME            NRN\n" +
            "ReadOnlyAccess  nrn:nimbus:iam::nimbus:policy/ReadOnlyAccess\n");
        document.ExitCode.ShouldBe(0, document.ToString());
        document.Stdout.ShouldBe("{\"Statement\":[]}\n");
    }

    [Fact]
    public async Task Create_version_resolves_the_name_and_can_keep_the_default()
    {
        var file = _files.Combine("v2.json");
        await File.WriteAllTextAsync(file, Document);
        var handler = new CannedHandler()
            .Answer(HttpStatusCode.OK, Canned.Page("", Canned.Policy()))
            .Answer(HttpStatusCode.OK, Canned.Policy(defaultVersion: "v1"));
        using var cli = new CliRun(handler);

        var result = await cli.RunAsync(["iam", "policy", "create-version", "auditors", "--document", file, "--no-default"]);

        result.ExitCode.ShouldBe(0, result.ToString());
        handler.Requests.Select(r => $"{r.Method} {r.Uri.PathAndQuery}").ShouldBe(["GET /v1/iam/policies?name=auditors", "POST /v1/iam/policies/pol-0001/versions"]);
        var body = handler.Requests[1].BodyText.ParseJson();
        body.ShouldHaveProperties("document", "setAsDefault");
        body.Str("document").ShouldBe(Document);
        body.GetProperty("setAsDefault").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public async Task Create_version_makes_the_new_version_the_default_unless_told_not_to()
    {
        var file = _files.Combine("v2.json");
        await File.WriteAllTextAsync(file, Document);
        var handler = new CannedHandler().Answer(HttpStatusCode.OK, Canned.Policy()).Answer(HttpStatusCode.OK, Canned.Policy());
        using var cli = new CliRun(handler);

        var result = await cli.RunAsync(["iam", "policy", "create-version", "pol-0001", "--document", file]);

        result.ExitCode.ShouldBe(0, result.ToString());
        handler.Requests.Select(r => $"{r.Method} {r.Uri.PathAndQuery}").ShouldBe(["GET /v1/iam/policies/pol-0001", "POST /v1/iam/policies/pol-0001/versions"]);
        handler.Requests[1].BodyText.ParseJson().GetProperty("setAsDefault").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task Delete_resolves_the_name_and_deletes_by_id()
    {
        var handler = new CannedHandler()
            .Answer(HttpStatusCode.OK, Canned.Page("", Canned.Policy()))
            .Answer(HttpStatusCode.NoContent);
        using var cli = new CliRun(handler);

        var result = await cli.RunAsync("iam policy delete auditors");

        result.ExitCode.ShouldBe(0, result.ToString());
        handler.Requests.Select(r => $"{r.Method} {r.Uri.PathAndQuery}").ShouldBe(["GET /v1/iam/policies?name=auditors", "DELETE /v1/iam/policies/pol-0001"]);
        result.Stdout.ShouldBe("deleted policy auditors\n");
    }

    [Fact]
    public async Task Delete_of_an_attached_policy_reports_the_conflict()
    {
        var handler = Problem(new CannedHandler(), HttpStatusCode.Conflict, "Conflict", "Policy is attached to 1 user(s) and 0 group(s).");
        using var cli = new CliRun(handler);

        var result = await cli.RunAsync("iam policy delete pol-0001");

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stderr.ShouldStartWith("error: Conflict: Policy is attached to 1 user(s) and 0 group(s).\n");
    }

    [Fact]
    public async Task Simulate_sends_actions_resources_and_context_and_exits_0_on_a_deny()
    {
        var handler = new CannedHandler().Answer(HttpStatusCode.OK, """
            {"results":[
              {"action":"iam:ListUsers","resource":"*","decision":"allowed","decidingStatement":"ReadOnlyAccess#ReadAll","reason":"allowed by ReadOnlyAccess#ReadAll"},
              {"action":"iam:CreateUser","resource":"*","decision":"explicitDeny","decidingStatement":"pol-0001#DenyWrites","reason":"denied by pol-0001#DenyWrites"},
              {"action":"demo:CreateWidget","resource":"*","decision":"implicitDeny","decidingStatement":null,"reason":"no statement allows it"}]}
            """);
        using var cli = new CliRun(handler);

        var result = await cli.RunAsync(["iam", "policy", "simulate", "--user", "alice", "--action", "iam:ListUsers", "--action", "iam:CreateUser", "--action", "demo:CreateWidget",
            "--resource", "*", "--context", "nimbus:SourceIp=10.0.0.5", "--context", "nimbus:SourceIp=10.0.0.6", "--context", "nimbus:MultiFactorAuthPresent=true"]);

        result.ExitCode.ShouldBe(0, result.ToString());
        var request = handler.Requests.ShouldHaveSingleItem();
        $"{request.Method} {request.Uri.PathAndQuery}".ShouldBe("POST /v1/iam/policies:simulate");
        request.BodyText.ShouldBe("""
            {"userName":"alice","roleName":null,"actions":["iam:ListUsers","iam:CreateUser","demo:CreateWidget"],"resources":["*"],"context":{"nimbus:SourceIp":["10.0.0.5","10.0.0.6"],"nimbus:MultiFactorAuthPresent":["true"]}}
            """);
        result.Stdout.ShouldBe(
            "ACTION             RESOURCE  DECISION      STATEMENT\n" +
            "iam:ListUsers      *         allowed       ReadOnlyAccess#ReadAll\n" +
            "iam:CreateUser     *         explicitDeny  pol-0001#DenyWrites\n" +
            "demo:CreateWidget  *         implicitDeny  -\n");
    }

    [Fact]
    public async Task Simulate_leaves_resources_and_context_to_the_server_when_not_given()
    {
        var handler = new CannedHandler().Answer(HttpStatusCode.OK, """{"results":[]}""");
        using var cli = new CliRun(handler);

        var result = await cli.RunAsync("iam policy simulate --user alice --action iam:ListUsers");

        result.ExitCode.ShouldBe(0, result.ToString());
        handler.Requests.ShouldHaveSingleItem().BodyText.ShouldBe("""{"userName":"alice","roleName":null,"actions":["iam:ListUsers"],"resources":null,"context":null}""");
    }

    [Fact]
    public async Task Simulate_refuses_a_context_without_a_key()
    {
        var handler = new CannedHandler();
        using var cli = new CliRun(handler);

        var result = await cli.RunAsync("iam policy simulate --user alice --action iam:ListUsers --context =10.0.0.5");

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stderr.ShouldContain("Context '=10.0.0.5' must be key=value with a non-empty key.");
        handler.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task User_attach_policy_resolves_the_user_and_passes_the_policy_name_through()
    {
        var handler = new CannedHandler()
            .Answer(HttpStatusCode.OK, Canned.Page("", Canned.Resource("iam/user", "usr-0001", "alice")))
            .Answer(HttpStatusCode.OK, Canned.Resource("iam/user", "usr-0001", "alice", """{"path":"/","attachedPolicies":["ReadOnlyAccess"]}"""));
        using var cli = new CliRun(handler);

        var result = await cli.RunAsync("iam user attach-policy --user alice --policy ReadOnlyAccess");

        result.ExitCode.ShouldBe(0, result.ToString());
        handler.Requests.Select(r => $"{r.Method} {r.Uri.PathAndQuery} {r.BodyText}").ShouldBe(
        [
            "GET /v1/iam/users?name=alice ",
            """POST /v1/iam/users/usr-0001:attach-policy {"policy":"ReadOnlyAccess"}""",
        ]);
        result.Stdout.ShouldBe("attached policy ReadOnlyAccess to user alice\n");
    }

    [Fact]
    public async Task User_detach_policy_posts_to_detach()
    {
        var user = Canned.Resource("iam/user", "usr-0001", "alice");
        var handler = new CannedHandler().Answer(HttpStatusCode.OK, user).Answer(HttpStatusCode.OK, user);
        using var cli = new CliRun(handler);

        var result = await cli.RunAsync("iam user detach-policy --user usr-0001 --policy pol-0001");

        result.ExitCode.ShouldBe(0, result.ToString());
        handler.Requests.Select(r => $"{r.Method} {r.Uri.PathAndQuery} {r.BodyText}").ShouldBe(["GET /v1/iam/users/usr-0001 ", """POST /v1/iam/users/usr-0001:detach-policy {"policy":"pol-0001"}"""]);
        result.Stdout.ShouldBe("detached policy pol-0001 from user alice\n");
    }

    [Fact]
    public async Task Group_attach_and_detach_policy_print_the_group_in_json()
    {
        var group = Canned.Resource("iam/group", "grp-0001", "auditors", """{"path":"/","members":[],"attachedPolicies":["auditors"]}""");
        var handler = new CannedHandler()
            .Answer(HttpStatusCode.OK, group)
            .Answer(HttpStatusCode.OK, group)
            .Answer(HttpStatusCode.OK, Canned.Page("", group))
            .Answer(HttpStatusCode.OK, group);
        using var cli = new CliRun(handler);

        var attached = await cli.RunAsync("iam group attach-policy --group grp-0001 --policy auditors -o json");
        var detached = await cli.RunAsync("iam group detach-policy --group auditors --policy auditors");

        attached.ExitCode.ShouldBe(0, attached.ToString());
        attached.Stdout.ParseJson().GetProperty("spec").GetProperty("attachedPolicies")[0].GetString().ShouldBe("auditors");
        detached.ExitCode.ShouldBe(0, detached.ToString());
        detached.Stdout.ShouldBe("detached policy auditors from group auditors\n");
        handler.Requests.Select(r => $"{r.Method} {r.Uri.PathAndQuery} {r.BodyText}").ShouldBe(
        [
            "GET /v1/iam/groups/grp-0001 ",
            """POST /v1/iam/groups/grp-0001:attach-policy {"policy":"auditors"}""",
            "GET /v1/iam/groups?name=auditors ",
            """POST /v1/iam/groups/grp-0001:detach-policy {"policy":"auditors"}""",
        ]);
    }
}
