using Nimbus.Cli.Tests.EndToEnd.Support;
using Nimbus.Cli.Tests.Fakes;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Cli.Tests.EndToEnd;

/// <summary>The policy examples of docs/iam.md, command for command, against a real server.</summary>
public sealed class PolicyCliTests : IAsyncLifetime
{
    // Requests from anywhere outside 10.0.0.0/8 are denied: the tests connect from 127.0.0.1.
    private const string OfficeOnly = """
        {
          "Version": "2012-10-17",
          "Statement": [
            { "Sid": "AllowEverything", "Effect": "Allow", "Action": "*", "Resource": "*" },
            {
              "Sid": "DenyOutsideOffice",
              "Effect": "Deny",
              "Action": "*",
              "Resource": "*",
              "Condition": { "NotIpAddress": { "nimbus:SourceIp": "10.0.0.0/8" } }
            }
          ]
        }

        """;

    private NimbusServer _server = null!;
    private CliRun _admin = null!;
    private TempDirectory _files = null!;

    public async Task InitializeAsync()
    {
        _server = await NimbusServer.StartAsync();
        _files = new TempDirectory();
        _admin = new CliRun(handler: null, withCredentials: false);
        (await _admin.RunAsync(["configure", "--from-bootstrap", _server.DataDirectory])).ExitCode.ShouldBe(0);
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        _files.Dispose();
        await _server.DisposeAsync();
    }

    private static async Task<CliResult> OkAsync(CliRun cli, params string[] args)
    {
        var result = await cli.RunAsync(args);
        result.ExitCode.ShouldBe(0, result.ToString());
        return result;
    }

    private Task<CliResult> AdminAsync(params string[] args) => OkAsync(_admin, args);

    /// <summary>A user with an access key, and a CLI that signs with that key.</summary>
    private async Task<CliRun> UserWithKeyAsync(string name)
    {
        await AdminAsync("iam", "user", "create", "--name", name);
        var key = (await AdminAsync("iam", "access-key", "create", "--user", name, "--output", "json")).Stdout.ParseJson();
        var cli = new CliRun(handler: null, withCredentials: false);
        cli.Environment["NIMBUS_ENDPOINT"] = _server.Endpoint.ToString();
        cli.Environment["NIMBUS_ACCESS_KEY_ID"] = key.GetProperty("accessKey").Str("accessKeyId");
        cli.Environment["NIMBUS_SECRET_ACCESS_KEY"] = key.Str("secretAccessKey");
        return cli;
    }

    [Fact]
    public async Task A_read_only_auditor_can_list_users_but_not_create_them()
    {
        using var auditor = await UserWithKeyAsync("auditor");
        var before = await auditor.RunAsync(["iam", "user", "list"]);
        before.ExitCode.ShouldBe(1, before.ToString());
        before.Stderr.ShouldStartWith("error: AccessDenied: ");

        (await AdminAsync("iam", "policy", "list", "--builtin")).Stdout.ShouldContain("ReadOnlyAccess         nrn:nimbus:iam::nimbus:policy/ReadOnlyAccess");
        var readOnly = (await AdminAsync("iam", "policy", "get", "ReadOnlyAccess", "--document")).Stdout;
        readOnly.ShouldContain("\"iam:ListUsers\"");
        readOnly.ShouldNotContain("\"iam:CreateUser\"");
        (await AdminAsync("iam", "user", "attach-policy", "--user", "auditor", "--policy", "ReadOnlyAccess")).Stdout
            .ShouldBe("attached policy ReadOnlyAccess to user auditor\n");
        (await AdminAsync("iam", "user", "get", "auditor", "--output", "json")).Stdout.ParseJson()
            .GetProperty("spec").GetProperty("attachedPolicies")[0].GetString().ShouldBe("ReadOnlyAccess");

        (await OkAsync(auditor, "iam", "user", "list")).Stdout.ShouldContain("auditor");
        var refused = await auditor.RunAsync(["iam", "user", "create", "--name", "mallory"]);
        refused.ExitCode.ShouldBe(1, refused.ToString());
        refused.Stderr.ShouldStartWith("error: AccessDenied: ");

        await AdminAsync("iam", "user", "detach-policy", "--user", "auditor", "--policy", "ReadOnlyAccess");
        var after = await auditor.RunAsync(["iam", "user", "list"]);
        after.ExitCode.ShouldBe(1, after.ToString());
        after.Stderr.ShouldStartWith("error: AccessDenied: ");
    }

    [Fact]
    public async Task An_ip_restricted_policy_denies_requests_from_elsewhere_and_simulate_names_the_statement()
    {
        var file = _files.Combine("office-only.json");
        await File.WriteAllTextAsync(file, OfficeOnly);
        var created = (await AdminAsync("iam", "policy", "create", "--name", "office-only", "--document", file, "--description", "Everything, from the office network only", "--output", "json")).Stdout.ParseJson();
        var policyId = created.Str("id");
        policyId.ShouldStartWith("pol-");
        (await AdminAsync("iam", "policy", "get", "office-only", "--document")).Stdout.ShouldBe(OfficeOnly);
        (await AdminAsync("iam", "policy", "list")).Stdout.ShouldContain($"{policyId}  office-only  v1");

        using var contractor = await UserWithKeyAsync("contractor");
        await AdminAsync("iam", "group", "create", "--name", "contractors");
        await AdminAsync("iam", "group", "add-user", "--group", "contractors", "--user", "contractor");
        await AdminAsync("iam", "group", "attach-policy", "--group", "contractors", "--policy", "office-only");

        var denied = await contractor.RunAsync(["iam", "user", "list"]);
        denied.ExitCode.ShouldBe(1, denied.ToString());
        denied.Stderr.ShouldStartWith("error: AccessDenied: ");

        // From 127.0.0.1 (the caller's address is the default context), then as if from the office.
        var here = (await AdminAsync("iam", "policy", "simulate", "--user", "contractor", "--action", "iam:ListUsers")).Stdout.Split('\n');
        here[0].ShouldBe("ACTION         RESOURCE  DECISION      STATEMENT");
        here[1].ShouldStartWith("iam:ListUsers  *         explicitDeny  ");
        here[1].ShouldEndWith($"  Identity policy office-only ({policyId}), statement 1 \"DenyOutsideOffice\", Deny");
        var office = (await AdminAsync("iam", "policy", "simulate", "--user", "contractor", "--action", "iam:ListUsers", "--action", "iam:CreateUser", "--context", "nimbus:SourceIp=10.1.2.3")).Stdout.Split('\n');
        office[1].ShouldStartWith("iam:ListUsers   *         allowed   ");
        office[1].ShouldEndWith($"  Identity policy office-only ({policyId}), statement 0 \"AllowEverything\", Allow");
        office[2].ShouldStartWith("iam:CreateUser  *         allowed   ");
        var json = (await AdminAsync("iam", "policy", "simulate", "--user", "contractor", "--action", "iam:ListUsers", "--output", "json")).Stdout.ParseJson();
        json.GetProperty("results")[0].Str("decision").ShouldBe("explicitDeny");

        var inUse = await _admin.RunAsync(["iam", "policy", "delete", "office-only"]);
        inUse.ExitCode.ShouldBe(1, inUse.ToString());
        inUse.Stderr.ShouldStartWith("error: Conflict: ");
        await AdminAsync("iam", "group", "detach-policy", "--group", "contractors", "--policy", "office-only");
        (await AdminAsync("iam", "policy", "delete", "office-only")).Stdout.ShouldBe("deleted policy office-only\n");
    }

    [Fact]
    public async Task Versions_replace_the_document_in_force_unless_no_default_is_given()
    {
        var v1 = _files.Combine("v1.json");
        var v2 = _files.Combine("v2.json");
        await File.WriteAllTextAsync(v1, """{ "Version": "2012-10-17", "Statement": [ { "Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*" } ] }""" + "\n");
        await File.WriteAllTextAsync(v2, """{ "Version": "2012-10-17", "Statement": [ { "Effect": "Allow", "Action": "iam:List*", "Resource": "*" } ] }""" + "\n");
        await AdminAsync("iam", "policy", "create", "--name", "listers", "--document", v1);

        var staged = (await AdminAsync("iam", "policy", "create-version", "listers", "--document", v2, "--no-default", "--output", "json")).Stdout.ParseJson();
        staged.GetProperty("spec").Str("defaultVersion").ShouldBe("v1");
        (await AdminAsync("iam", "policy", "get", "listers", "--document")).Stdout.ShouldBe(await File.ReadAllTextAsync(v1));

        (await AdminAsync("iam", "policy", "create-version", "listers", "--document", v2)).Stdout.ShouldContain("listers  v3               3");
        (await AdminAsync("iam", "policy", "get", "listers", "--document")).Stdout.ShouldBe(await File.ReadAllTextAsync(v2));
    }

    [Fact]
    public async Task An_invalid_document_is_refused_with_its_line_and_column()
    {
        var file = _files.Combine("bad.json");
        await File.WriteAllTextAsync(file, "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": 42\n}\n");

        var result = await _admin.RunAsync(["iam", "policy", "create", "--name", "bad", "--document", file]);

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stderr.ShouldStartWith("error: InvalidParameter: ");
        result.Stderr.ShouldContain("\n  document: line 3, column 16: ");
    }
}
