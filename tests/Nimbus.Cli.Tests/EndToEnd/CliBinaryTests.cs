using Nimbus.Cli.Tests.EndToEnd.Support;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Cli.Tests.EndToEnd;

/// <summary>The CLI as users run it: <c>dotnet nimbus.dll ...</c> in its own process, reading the process environment.</summary>
public sealed class CliBinaryTests : IAsyncLifetime
{
    private readonly TempDirectory _home = new("nimbus-cli-home");
    private NimbusServer _server = null!;

    public async Task InitializeAsync() => _server = await NimbusServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _home.Dispose();
    }

    private string ConfigDir => Path.Combine(_home.Path, ".nimbus");

    private Task<Fakes.CliResult> NimbusAsync(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var variables = new Dictionary<string, string> { ["HOME"] = _home.Path, ["NIMBUS_CONFIG_DIR"] = ConfigDir };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            variables[name] = value;
        }

        return ChildProcess.RunAsync(Binaries.Cli, args, _home.Path, variables);
    }

    [Fact]
    public async Task Cli_binary_configures_from_bootstrap_and_prints_whoami()
    {
        var configure = await NimbusAsync(null, "configure", "--from-bootstrap", _server.DataDirectory);

        configure.ExitCode.ShouldBe(0, configure.ToString());
        configure.Stderr.ShouldBeEmpty();
        configure.Stdout.ShouldBe(
            $"wrote profile 'default' (endpoint {_server.Admin.Endpoint}, region local, access key {_server.Admin.AccessKeyId})\n" +
            $"  credentials: {ConfigDir}/credentials\n  config:      {ConfigDir}/config\n");
        File.GetUnixFileMode(ConfigDir).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var json = await NimbusAsync(null, "whoami", "-o", "json");
        json.ExitCode.ShouldBe(0, json.ToString());
        json.Stderr.ShouldBeEmpty();
        var identity = json.Stdout.ParseJson();
        identity.Str("account").ShouldBe(_server.Admin.Account);
        identity.Str("userName").ShouldBe("admin");
        identity.Str("accessKeyId").ShouldBe(_server.Admin.AccessKeyId);
        identity.GetProperty("isPlatformAdministrator").GetBoolean().ShouldBeTrue();

        var table = await NimbusAsync(null, "whoami");
        table.ExitCode.ShouldBe(0, table.ToString());
        table.Stderr.ShouldBeEmpty();
        var lines = table.Stdout.Split('\n');
        lines.Length.ShouldBe(3, table.Stdout);
        lines[0].ShouldMatch("^ACCOUNT +USER +ACCESS KEY ID +ADMIN +PRINCIPAL$");
        lines[1].ShouldBe($"{_server.Admin.Account}  admin  {_server.Admin.AccessKeyId}  yes    {identity.Str("principal")}");
        lines[2].ShouldBeEmpty();
    }

    [Fact]
    public async Task Cli_binary_reads_credentials_from_the_environment_and_exits_1_on_an_api_error()
    {
        var environment = new Dictionary<string, string>
        {
            ["NIMBUS_ENDPOINT"] = _server.Admin.Endpoint,
            ["NIMBUS_ACCESS_KEY_ID"] = _server.Admin.AccessKeyId,
            ["NIMBUS_SECRET_ACCESS_KEY"] = _server.Admin.SecretAccessKey,
        };

        var result = await NimbusAsync(environment, "demo", "widget", "get", "wdg-000000000000");

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stdout.ShouldBeEmpty();
        result.Stderr.ShouldMatch("^error: NotFound: Widget 'wdg-000000000000' was not found\\.\nrequest id: req-[0-9a-z]{20}\n$");
    }

    [Fact]
    public async Task Cli_binary_exits_2_on_a_usage_error()
    {
        var result = await NimbusAsync(null, "demo", "widget", "create", "--name", "no-message");

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stdout.ShouldBeEmpty();
        result.Stderr.ShouldBe("error: Option '--message' is required.\nrun `nimbus demo widget create --help` for usage.\n");
    }

    [Fact]
    public async Task Cli_binary_without_credentials_exits_2_naming_the_profile()
    {
        var result = await NimbusAsync(null, "whoami");

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stdout.ShouldBeEmpty();
        result.Stderr.ShouldStartWith("error: InvalidConfiguration: No credentials found for profile 'default'");
        Directory.Exists(ConfigDir).ShouldBeFalse();
    }
}
