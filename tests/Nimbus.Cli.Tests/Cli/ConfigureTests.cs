using System.Net;
using Nimbus.Cli.Tests.Fakes;
using Shouldly;
using Xunit;

namespace Nimbus.Cli.Tests.Cli;

public sealed class ConfigureTests : IDisposable
{
    private readonly TempDirectory _dataDir = new();

    public void Dispose() => _dataDir.Dispose();

    [Fact]
    public async Task From_bootstrap_writes_the_default_profile_with_0600_files()
    {
        WriteBootstrap("""{"endpoint":"http://127.0.0.1:7171","accessKeyId":"NKIABOOT","secretAccessKey":"boot-secret","region":"local"}""");
        using var cli = new CliRun(withCredentials: false);

        var result = await cli.RunAsync(["configure", "--from-bootstrap", _dataDir.Path]);

        result.ExitCode.ShouldBe(0, result.ToString());
        var credentials = Path.Combine(cli.ConfigDir, "credentials");
        var config = Path.Combine(cli.ConfigDir, "config");
        File.ReadAllText(credentials).ShouldBe("[default]\naccess_key_id = NKIABOOT\nsecret_access_key = boot-secret\n");
        File.ReadAllText(config).ShouldBe("[default]\nendpoint = http://127.0.0.1:7171\nregion = local\n");
        File.GetUnixFileMode(credentials).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.GetUnixFileMode(config).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        result.Stdout.ShouldBe(
            $"wrote profile 'default' (endpoint http://127.0.0.1:7171, region local, access key NKIABOOT)\n  credentials: {credentials}\n  config:      {config}\n");
    }

    [Fact]
    public async Task From_bootstrap_writes_a_named_profile_that_later_commands_use()
    {
        WriteBootstrap("""{"endpoint":"http://boot.test:7070","accessKeyId":"NKIABOOT","secretAccessKey":"boot-secret"}""");
        var handler = new CannedHandler().Answer(HttpStatusCode.OK, """{"account":"1","principal":"p"}""");
        using var cli = new CliRun(handler, withCredentials: false);

        var configure = await cli.RunAsync(["configure", "--from-bootstrap", _dataDir.Path, "--profile", "lab", "-o", "json"]);
        var whoami = await cli.RunAsync("whoami --profile lab");

        configure.ExitCode.ShouldBe(0, configure.ToString());
        File.ReadAllText(Path.Combine(cli.ConfigDir, "config")).ShouldBe("[profile lab]\nendpoint = http://boot.test:7070\nregion = local\noutput = json\n");
        whoami.ExitCode.ShouldBe(0, whoami.ToString());
        whoami.Stdout.ShouldStartWith("{");
        var request = handler.Requests.ShouldHaveSingleItem();
        request.Uri.ShouldBe(new Uri("http://boot.test:7070/v1/sts/caller-identity"));
        request.Header("Authorization")!.ShouldContain("Credential=NKIABOOT/");
    }

    [Fact]
    public async Task From_bootstrap_of_a_directory_without_the_file_is_a_usage_error()
    {
        using var cli = new CliRun(withCredentials: false);

        var result = await cli.RunAsync(["configure", "--from-bootstrap", _dataDir.Path]);

        result.ExitCode.ShouldBe(2);
        result.Stderr.ShouldStartWith($"error: {Path.Combine(_dataDir.Path, "bootstrap-credentials.json")} does not exist");
        File.Exists(Path.Combine(cli.ConfigDir, "credentials")).ShouldBeFalse();
    }

    [Fact]
    public async Task From_bootstrap_without_a_secret_is_a_configuration_error()
    {
        WriteBootstrap("""{"accessKeyId":"NKIABOOT"}""");
        using var cli = new CliRun(withCredentials: false);

        var result = await cli.RunAsync(["configure", "--from-bootstrap", _dataDir.Path]);

        result.ExitCode.ShouldBe(2);
        result.Stderr.ShouldContain("has no 'secretAccessKey'");
    }

    [Fact]
    public async Task Interactive_configure_reads_the_answers_and_keeps_defaults_on_empty_lines()
    {
        using var cli = new CliRun(withCredentials: false);

        var result = await cli.RunAsync(["configure", "--profile", "dev"], "http://dev.test:7070\nNKIADEV\ndev-secret\n\nyaml\n");

        result.ExitCode.ShouldBe(0, result.ToString());
        File.ReadAllText(Path.Combine(cli.ConfigDir, "credentials")).ShouldBe("[dev]\naccess_key_id = NKIADEV\nsecret_access_key = dev-secret\n");
        File.ReadAllText(Path.Combine(cli.ConfigDir, "config")).ShouldBe("[profile dev]\nendpoint = http://dev.test:7070\nregion = local\noutput = yaml\n");
        result.Stdout.ShouldContain("Endpoint [http://127.0.0.1:7070]: ");
        result.Stdout.ShouldContain("Region [local]: ");
    }

    [Fact]
    public async Task Interactive_configure_masks_the_current_secret_and_keeps_it_on_enter()
    {
        using var cli = new CliRun(withCredentials: false);
        await cli.RunAsync(["configure"], "\nNKIA1\nsecret-abcd\n\n\n");

        var result = await cli.RunAsync(["configure"], "\n\n\nr2\n\n");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldContain("Secret access key [****abcd]: ");
        result.Stdout.ShouldNotContain("secret-abcd");
        File.ReadAllText(Path.Combine(cli.ConfigDir, "credentials")).ShouldBe("[default]\naccess_key_id = NKIA1\nsecret_access_key = secret-abcd\n");
        File.ReadAllText(Path.Combine(cli.ConfigDir, "config")).ShouldBe("[default]\nendpoint = http://127.0.0.1:7070\nregion = r2\noutput = table\n");
    }

    [Fact]
    public async Task Interactive_configure_without_an_access_key_is_a_usage_error()
    {
        using var cli = new CliRun(withCredentials: false);

        var result = await cli.RunAsync(["configure"], "");

        result.ExitCode.ShouldBe(2);
        result.Stderr.ShouldBe("error: An access key id is required.\n");
    }

    private void WriteBootstrap(string json) => File.WriteAllText(_dataDir.Combine("bootstrap-credentials.json"), json);
}
