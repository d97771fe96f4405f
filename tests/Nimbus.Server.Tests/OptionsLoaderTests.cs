using Nimbus.Server.Hosting;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Server.Tests;

public sealed class OptionsLoaderTests
{
    private static readonly Dictionary<string, string?> NoEnvironment = [];

    [Fact]
    public void Defaults_are_the_embedded_ones()
    {
        var options = OptionsLoader.Load([], NoEnvironment);
        options.ApiPort.ShouldBe(7070);
        options.Listen.ShouldBe("127.0.0.1");
        options.DataDirectory.ShouldBe(Path.GetFullPath(".nimbus"));
        options.MaxBodyBytes.ShouldBe(1024 * 1024);
        options.Region.ShouldBe("local");
        options.AuditRetentionDays.ShouldBe(365);
    }

    [Fact]
    public void Audit_retention_is_read_from_flag_and_environment()
    {
        OptionsLoader.Load(["--audit-retention-days", "30"], NoEnvironment).AuditRetentionDays.ShouldBe(30);
        OptionsLoader.Load([], new Dictionary<string, string?> { ["NIMBUS_AUDIT_RETENTION_DAYS"] = "90" }).AuditRetentionDays.ShouldBe(90);
        Should.Throw<ArgumentException>(() => OptionsLoader.Load(["--audit-retention-days", "0"], NoEnvironment));
    }

    [Fact]
    public void Flags_beat_environment_which_beats_the_config_file()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(Path.Combine(dir.Path, "nimbus.json"), """{"apiPort": 7001, "listen": "0.0.0.0", "region": "lab"}""");
        var environment = new Dictionary<string, string?> { ["NIMBUS_DATA_DIR"] = dir.Path, ["NIMBUS_API_PORT"] = "7002", ["NIMBUS_LISTEN"] = "127.0.0.2" };
        var options = OptionsLoader.Load(["--api-port", "7003"], environment);
        options.ApiPort.ShouldBe(7003);
        options.Listen.ShouldBe("127.0.0.2");
        options.Region.ShouldBe("lab");
        options.DataDirectory.ShouldBe(dir.Path);
    }

    [Theory]
    [InlineData("--api-port", "70000")]
    [InlineData("--api-port", "x")]
    [InlineData("--listen", "not-an-ip")]
    [InlineData("--bogus", "1")]
    [InlineData("--log-format", "xml")]
    public void Bad_options_are_clear_errors(string flag, string value)
    {
        var error = Should.Throw<ArgumentException>(() => OptionsLoader.Load([flag, value], NoEnvironment));
        error.Message.ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public void Unknown_config_file_setting_is_an_error()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(Path.Combine(dir.Path, "nimbus.json"), """{"apiPrt": 1}""");
        Should.Throw<ArgumentException>(() => OptionsLoader.Load(["--data-dir", dir.Path], NoEnvironment)).Message.ShouldContain("apiPrt");
    }
}
