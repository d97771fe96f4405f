using Nimbus.Cli.Tests.Fakes;
using Nimbus.Contracts.Signing;
using Nimbus.Sdk;
using Nimbus.Sdk.Configuration;
using Shouldly;
using Xunit;

namespace Nimbus.Cli.Tests.Sdk;

public sealed class CredentialChainTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Nothing_configured_gives_defaults_and_no_credentials()
    {
        var settings = Chain().Resolve();

        settings.ProfileName.ShouldBe("default");
        settings.Endpoint.ShouldBe(new Uri("http://127.0.0.1:7070"));
        settings.Region.ShouldBe("local");
        settings.Output.ShouldBeNull();
        settings.Credentials.ShouldBeNull();
        settings.CredentialsSource.ShouldBe("none");
        Should.Throw<NimbusConfigurationException>(() => settings.ToClientOptions()).Message.ShouldContain("nimbus configure");
    }

    [Fact]
    public void Profile_files_in_the_config_dir_are_read()
    {
        WriteFiles(
            "[default]\naccess_key_id = NKIADEFAULT\nsecret_access_key = def-secret\n\n[dev]\naccess_key_id=NKIADEV\nsecret_access_key=dev-secret\nsession_token = tok\n",
            "# comment\n[default]\nendpoint = http://10.0.0.1:7070\nregion = r1\noutput = json\n\n[profile dev]\nendpoint = https://dev.test\n");

        var defaults = Chain().Resolve();
        var dev = Chain(("NIMBUS_PROFILE", "dev")).Resolve();

        defaults.Credentials.ShouldBe(new SigV4Credentials("NKIADEFAULT", "def-secret"));
        defaults.Endpoint.ShouldBe(new Uri("http://10.0.0.1:7070"));
        defaults.Region.ShouldBe("r1");
        defaults.Output.ShouldBe("json");
        defaults.CredentialsSource.ShouldBe($"profile default ({_dir.Combine("credentials")})");
        dev.ProfileName.ShouldBe("dev");
        dev.Credentials.ShouldBe(new SigV4Credentials("NKIADEV", "dev-secret", "tok"));
        dev.Endpoint.ShouldBe(new Uri("https://dev.test"));
        dev.Region.ShouldBe("local");
    }

    [Fact]
    public void Environment_wins_over_the_profile_and_explicit_values_win_over_both()
    {
        WriteFiles("[default]\naccess_key_id = NKIAFILE\nsecret_access_key = file\n", "[default]\nendpoint = http://file.test\nregion = file-region\n");
        var chain = Chain(
            ("NIMBUS_ACCESS_KEY_ID", "NKIAENV"), ("NIMBUS_SECRET_ACCESS_KEY", "env"), ("NIMBUS_SESSION_TOKEN", "env-token"),
            ("NIMBUS_ENDPOINT", "http://env.test:1"), ("NIMBUS_REGION", "env-region"), ("NIMBUS_OUTPUT", "yaml"));

        var fromEnvironment = chain.Resolve();
        var fromExplicit = chain.Resolve(new SettingsOverrides
        {
            Endpoint = "http://flag.test",
            Region = "flag-region",
            Output = "table",
            Credentials = new SigV4Credentials("NKIAFLAG", "flag"),
        });

        fromEnvironment.Credentials.ShouldBe(new SigV4Credentials("NKIAENV", "env", "env-token"));
        fromEnvironment.CredentialsSource.ShouldBe("environment");
        fromEnvironment.Endpoint.ShouldBe(new Uri("http://env.test:1"));
        fromEnvironment.Region.ShouldBe("env-region");
        fromEnvironment.Output.ShouldBe("yaml");
        fromExplicit.Credentials.ShouldBe(new SigV4Credentials("NKIAFLAG", "flag"));
        fromExplicit.CredentialsSource.ShouldBe("explicit");
        fromExplicit.Endpoint.ShouldBe(new Uri("http://flag.test"));
        fromExplicit.Region.ShouldBe("flag-region");
        fromExplicit.Output.ShouldBe("table");
    }

    [Fact]
    public void Half_set_environment_credentials_are_an_error()
    {
        var error = Should.Throw<NimbusConfigurationException>(() => Chain(("NIMBUS_ACCESS_KEY_ID", "NKIA")).Resolve());

        error.Message.ShouldContain("NIMBUS_SECRET_ACCESS_KEY");
    }

    [Fact]
    public void Explicitly_named_missing_profile_is_an_error_but_a_missing_default_is_not()
    {
        var error = Should.Throw<NimbusConfigurationException>(() => Chain().Resolve(new SettingsOverrides { Profile = "nope" }));

        error.Message.ShouldContain("Profile 'nope'");
        Chain().Resolve().ProfileName.ShouldBe("default");
    }

    [Fact]
    public void Bad_endpoint_is_an_error()
    {
        Should.Throw<NimbusConfigurationException>(() => Chain(("NIMBUS_ENDPOINT", "localhost:7070")).Resolve())
            .Message.ShouldContain("not an absolute http:// or https:// URI");
    }

    [Fact]
    public void Malformed_file_names_file_and_line()
    {
        WriteFiles("[default]\nthis line has no equals sign\n", "");

        Should.Throw<NimbusConfigurationException>(() => Chain().Resolve()).Message
            .ShouldBe($"{_dir.Combine("credentials")}:2: expected 'key = value', found 'this line has no equals sign'.");
    }

    [Fact]
    public void Config_dir_defaults_to_dot_nimbus_under_home()
    {
        var chain = new CredentialChain(new Dictionary<string, string> { ["HOME"] = "/home/someone" });

        chain.Profiles.Directory.ShouldBe("/home/someone/.nimbus");
        chain.Profiles.CredentialsPath.ShouldBe("/home/someone/.nimbus/credentials");
        chain.Profiles.ConfigPath.ShouldBe("/home/someone/.nimbus/config");
    }

    [Fact]
    public void Resolved_settings_build_client_options()
    {
        var options = Chain(("NIMBUS_ACCESS_KEY_ID", "NKIA"), ("NIMBUS_SECRET_ACCESS_KEY", "s"), ("NIMBUS_REGION", "r9")).Resolve().ToClientOptions();

        options.Credentials.ShouldBe(new SigV4Credentials("NKIA", "s"));
        options.Region.ShouldBe("r9");
        options.Endpoint.ShouldBe(new Uri(NimbusClientOptions.DefaultEndpoint));
        options.MaxRetries.ShouldBe(3);
    }

    private CredentialChain Chain(params (string Name, string Value)[] variables)
    {
        var environment = variables.ToDictionary(v => v.Name, v => v.Value);
        environment["NIMBUS_CONFIG_DIR"] = _dir.Path;
        return new CredentialChain(environment);
    }

    private void WriteFiles(string credentials, string config)
    {
        File.WriteAllText(_dir.Combine("credentials"), credentials);
        File.WriteAllText(_dir.Combine("config"), config);
    }
}
