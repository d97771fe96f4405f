using Nimbus.Cli.Tests.EndToEnd.Support;
using Nimbus.Cli.Tests.Fakes;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Cli.Tests.EndToEnd;

/// <summary>The spellings docs/iam.md uses, run against a real server.</summary>
public sealed class IamCliTests : IAsyncLifetime
{
    private NimbusServer _server = null!;
    private CliRun _cli = null!;

    public async Task InitializeAsync()
    {
        _server = await NimbusServer.StartAsync();
        _cli = new CliRun(handler: null, withCredentials: false);
        (await _cli.RunAsync(["configure", "--from-bootstrap", _server.DataDirectory])).ExitCode.ShouldBe(0);
    }

    public async Task DisposeAsync()
    {
        _cli.Dispose();
        await _server.DisposeAsync();
    }

    private async Task<CliResult> OkAsync(params string[] args)
    {
        var result = await _cli.RunAsync(args);
        result.ExitCode.ShouldBe(0, result.ToString());
        return result;
    }

    [Fact]
    public async Task Users_groups_and_their_keys_from_the_command_line()
    {
        var created = (await OkAsync("iam", "user", "create", "--name", "alice", "--password", "Correct-Horse-Battery-9", "--tag", "team=audit", "--output", "json")).Stdout.ParseJson();
        created.Str("name").ShouldBe("alice");
        created.GetProperty("spec").GetProperty("consoleAccess").GetBoolean().ShouldBeTrue();

        var key = (await OkAsync("iam", "access-key", "create", "--user", "alice", "--output", "json")).Stdout.ParseJson();
        key.GetProperty("accessKey").Str("userName").ShouldBe("alice");

        var table = (await OkAsync("iam", "user", "list")).Stdout;
        table.ShouldContain("alice");
        table.ShouldContain("team=audit");
        (await OkAsync("iam", "user", "get", "alice", "--output", "json")).Stdout.ParseJson().Str("id").ShouldBe(created.Str("id"));

        await OkAsync("iam", "group", "create", "--name", "auditors");
        var group = (await OkAsync("iam", "group", "add-user", "--group", "auditors", "--user", "alice", "--output", "json")).Stdout.ParseJson();
        group.GetProperty("spec").GetProperty("members")[0].GetString().ShouldBe(created.Str("id"));

        var refused = await _cli.RunAsync(["iam", "user", "delete", "alice"]);
        refused.ExitCode.ShouldBe(1);
        refused.Stderr.ShouldContain("error: Conflict");

        await OkAsync("iam", "group", "remove-user", "--group", "auditors", "--user", "alice");
        await OkAsync("iam", "access-key", "delete", key.GetProperty("accessKey").Str("accessKeyId"));
        (await OkAsync("iam", "user", "delete", "alice")).Stdout.ShouldBe("deleted user alice\n");
        var gone = await _cli.RunAsync(["iam", "user", "get", "alice"]);
        gone.ExitCode.ShouldBe(1);
        gone.Stderr.ShouldContain("error: NotFound: User 'alice' was not found.");
    }

    [Fact]
    public async Task An_mfa_device_is_enabled_and_opens_an_mfa_session_from_the_command_line()
    {
        await OkAsync("iam", "user", "create", "--name", "mia");
        var key = (await OkAsync("iam", "access-key", "create", "--user", "mia", "--output", "json")).Stdout.ParseJson();
        var created = (await OkAsync("iam", "mfa", "create", "--user", "mia", "--output", "json")).Stdout.ParseJson();
        var secret = Nimbus.Iam.Mfa.Base32.Decode(created.Str("base32Secret"))!;
        var step = Nimbus.Iam.Mfa.Totp.StepOf(DateTimeOffset.UtcNow);
        await OkAsync("iam", "mfa", "enable", "--user", "mia", "--code1", Nimbus.Iam.Mfa.Totp.Compute(secret, step - 1), "--code2", Nimbus.Iam.Mfa.Totp.Compute(secret, step));
        (await OkAsync("iam", "mfa", "get", "--user", "mia")).Stdout.ShouldContain("yes");

        using var asMia = new CliRun(handler: null, withCredentials: false);
        asMia.Environment["NIMBUS_ENDPOINT"] = _server.Endpoint.ToString().TrimEnd('/');
        asMia.Environment["NIMBUS_ACCESS_KEY_ID"] = key.GetProperty("accessKey").Str("accessKeyId");
        asMia.Environment["NIMBUS_SECRET_ACCESS_KEY"] = key.Str("secretAccessKey");
        var denied = await asMia.RunAsync(["sts", "get-session-token", "--mfa-code", Nimbus.Iam.Mfa.Totp.Compute(secret, step + 1)]);
        denied.ExitCode.ShouldBe(1, denied.ToString());
        denied.Stderr.ShouldContain("AccessDenied");

        await OkAsync("iam", "user", "attach-policy", "--user", "mia", "--policy", "StsFullAccess");
        var session = await asMia.RunAsync(["sts", "get-session-token", "--mfa-code", Nimbus.Iam.Mfa.Totp.Compute(secret, step + 1), "--export"]);
        session.ExitCode.ShouldBe(0, session.ToString());
        var lines = session.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(3);
        lines[0].ShouldStartWith("export NIMBUS_ACCESS_KEY_ID=NSIA");
    }

    [Fact]
    public async Task Weak_password_exits_1_with_the_broken_rules()
    {
        var result = await _cli.RunAsync(["iam", "user", "create", "--name", "weak", "--password", "short"]);
        result.ExitCode.ShouldBe(1);
        result.Stderr.ShouldContain("InvalidParameter");
        result.Stderr.ShouldContain("must be at least 12 characters long");
    }

    [Fact]
    public async Task An_account_root_key_is_printed_once_and_works()
    {
        var created = (await OkAsync("iam", "account", "create", "--name", "team-a", "--output", "json")).Stdout.ParseJson();
        var account = created.GetProperty("account").Str("id");
        var listed = (await OkAsync("iam", "account", "list")).Stdout;
        listed.ShouldContain(account);
        listed.ShouldContain("team-a");
        (await OkAsync("iam", "account", "get", account, "--output", "json")).Stdout.ParseJson().Str("name").ShouldBe("team-a");
    }
}
