using Nimbus.Cli.Tests.EndToEnd.Support;
using Nimbus.Cli.Tests.Fakes;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Cli.Tests.EndToEnd;

/// <summary>The deploy-role example of docs/iam.md, command by command, against a real server.</summary>
public sealed class RoleCliTests : IAsyncLifetime
{
    private NimbusServer _server = null!;
    private CliRun _admin = null!;
    private Nimbus.Testing.TempDirectory _files = null!;

    public async Task InitializeAsync()
    {
        _server = await NimbusServer.StartAsync();
        _admin = new CliRun(handler: null, withCredentials: false);
        _files = new Nimbus.Testing.TempDirectory();
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

    [Fact]
    public async Task A_ci_user_assumes_a_deploy_role_from_the_command_line()
    {
        var ci = (await OkAsync(_admin, "iam", "user", "create", "--name", "ci", "--output", "json")).Stdout.ParseJson();
        using (var client = Clients.For(_server))
        {
            await client.SendAsync<Contracts.Resources.ResourceDto>(HttpMethod.Post, $"/v1/iam/users/{ci.Str("id")}:attach-policy", new Contracts.Iam.PolicyAttachmentRequest { Policy = "StsFullAccess" });
        }

        var keyJson = (await OkAsync(_admin, "iam", "access-key", "create", "--user", "ci", "--output", "json")).Stdout.ParseJson();
        keyJson.GetProperty("accessKey").Str("userName").ShouldBe("ci");

        var trust = Path.Combine(_files.Path, "trust.json");
        await File.WriteAllTextAsync(trust, $$"""
            {
              "Version": "2012-10-17",
              "Statement": [
                { "Effect": "Allow", "Principal": { "Nimbus": "{{ci.Str("nrn")}}" }, "Action": "sts:AssumeRole" }
              ]
            }
            """);
        var role = (await OkAsync(_admin, "iam", "role", "create", "--name", "deploy", "--trust-policy", trust, "--max-session-duration", "3600", "--output", "json")).Stdout.ParseJson();
        role.Str("id").ShouldStartWith("rol-");
        await OkAsync(_admin, "iam", "role", "attach-policy", "--role", "deploy", "--policy", "DemoFullAccess");
        (await OkAsync(_admin, "iam", "role", "list")).Stdout.ShouldContain("DemoFullAccess");

        // The CI system holds only its own key...
        using var asCi = new CliRun(handler: null, withCredentials: false);
        asCi.Environment["NIMBUS_ENDPOINT"] = _server.Endpoint.ToString().TrimEnd('/');
        asCi.Environment["NIMBUS_ACCESS_KEY_ID"] = keyJson.GetProperty("accessKey").Str("accessKeyId");
        asCi.Environment["NIMBUS_SECRET_ACCESS_KEY"] = keyJson.Str("secretAccessKey");
        var denied = await asCi.RunAsync(["demo", "widget", "create", "--name", "release", "--message", "v1"]);
        denied.ExitCode.ShouldBe(1);
        denied.Stderr.ShouldContain("AccessDenied");

        // ...and assumes the role for each deployment.
        var exports = (await OkAsync(asCi, "sts", "assume-role", "--role", "deploy", "--session-name", "build-42", "--duration", "900", "--export")).Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line["export ".Length..].Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair[1]);
        exports.Keys.ShouldBe(["NIMBUS_ACCESS_KEY_ID", "NIMBUS_SECRET_ACCESS_KEY", "NIMBUS_SESSION_TOKEN"]);
        exports["NIMBUS_ACCESS_KEY_ID"].ShouldStartWith("NSIA");

        using var asRole = new CliRun(handler: null, withCredentials: false);
        asRole.Environment["NIMBUS_ENDPOINT"] = _server.Endpoint.ToString().TrimEnd('/');
        foreach (var (name, value) in exports)
        {
            asRole.Environment[name] = value;
        }

        (await OkAsync(asRole, "whoami", "--output", "json")).Stdout.ParseJson().Str("principal").ShouldBe($"nrn:nimbus:sts::{_server.Admin.Account}:assumed-role/deploy/build-42");
        await OkAsync(asRole, "demo", "widget", "create", "--name", "release", "--message", "v1", "--wait");
    }

    [Fact]
    public async Task A_missing_trust_policy_file_is_a_usage_error()
    {
        var result = await _admin.RunAsync(["iam", "role", "create", "--name", "r", "--trust-policy", Path.Combine(_files.Path, "nope.json")]);
        result.ExitCode.ShouldBe(2);
        result.Stderr.ShouldContain("nope.json");
    }
}
