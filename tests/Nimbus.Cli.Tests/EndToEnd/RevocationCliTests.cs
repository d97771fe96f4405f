using Nimbus.Cli.Tests.EndToEnd.Support;
using Shouldly;
using Xunit;

namespace Nimbus.Cli.Tests.EndToEnd;

/// <summary>The revocation commands of docs/iam.md ("Revoking temporary credentials"), against a real server.</summary>
public sealed class RevocationCliTests : IAsyncLifetime
{
    private CliServerFixture _cli = null!;

    public async Task InitializeAsync() => _cli = await CliServerFixture.StartAsync();

    public async Task DisposeAsync() => await _cli.DisposeAsync();

    private async Task<(string AccessKeyId, Fakes.CliRun Cli)> AssumeAsync(Fakes.CliRun ci, string sessionName)
    {
        var credentials = (await CliServerFixture.OkAsync(ci, ["sts", "assume-role", "--role", "deploy", "--session-name", sessionName, "--output", "json"])).Stdout.ParseJson();
        var session = _cli.As(credentials.Str("accessKeyId"), credentials.Str("secretAccessKey"), credentials.Str("sessionToken"));
        (await CliServerFixture.OkAsync(session, ["whoami"])).Stdout.ShouldContain("assumed-role/deploy/" + sessionName);
        return (credentials.Str("accessKeyId"), session);
    }

    private static async Task ShouldBeRevokedAsync(Fakes.CliRun session)
    {
        var refused = await session.RunAsync(["whoami"]);
        refused.ExitCode.ShouldBe(1, refused.ToString());
        refused.Stderr.ShouldStartWith("error: ExpiredToken: The security token was revoked at ");
    }

    [Fact]
    public async Task Sessions_are_listed_and_revoked_one_by_one_or_all_at_once()
    {
        using var ci = await _cli.UserWithKeyAsync("ci");
        await _cli.AdminAsync("iam", "user", "attach-policy", "--user", "ci", "--policy", "StsFullAccess");
        var ciNrn = (await _cli.AdminAsync("iam", "user", "get", "ci", "--output", "json")).Stdout.ParseJson().Str("nrn");
        var trust = await _cli.FileAsync("trust.json", $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Nimbus":"{{ciNrn}}"},"Action":"sts:AssumeRole"}]}""");
        await _cli.AdminAsync("iam", "role", "create", "--name", "deploy", "--trust-policy", trust);

        var (first, firstSession) = await AssumeAsync(ci, "build-1");
        var (second, secondSession) = await AssumeAsync(ci, "build-2");
        using var _ = firstSession;
        using var __ = secondSession;
        var listed = (await _cli.AdminAsync("iam", "role", "list-sessions", "--role", "deploy")).Stdout;
        listed.ShouldStartWith("ACCESS KEY ID");
        listed.ShouldContain(first);
        listed.ShouldContain(second);

        (await _cli.AdminAsync("sts", "revoke-session", "--access-key-id", first)).Stdout.ShouldStartWith($"revoked session {first} (nrn:nimbus:sts::");
        await ShouldBeRevokedAsync(firstSession);
        await CliServerFixture.OkAsync(secondSession, ["whoami"]);
        (await _cli.AdminAsync("iam", "role", "list-sessions", "--role", "deploy")).Stdout.ShouldNotContain(first);

        (await _cli.AdminAsync("iam", "role", "revoke-sessions", "--role", "deploy")).Stdout.ShouldStartWith("revoked the sessions of role deploy issued until ");
        await ShouldBeRevokedAsync(secondSession);
        (await _cli.AdminAsync("iam", "role", "list-sessions", "--role", "deploy", "--output", "json")).Stdout.ParseJson().GetProperty("items").GetArrayLength().ShouldBe(0);

        var (_, third) = await AssumeAsync(ci, "build-3");
        using var ___ = third;
        var bad = await _cli.Admin.RunAsync(["sts", "revoke-session", "--access-key-id", "AKIA-not-a-session"]);
        bad.ExitCode.ShouldBe(1, bad.ToString());
        bad.Stderr.ShouldStartWith("error: InvalidParameter: ");
    }
}
