using Nimbus.Cli.Tests.Fakes;
using Nimbus.Sdk.Configuration;
using Shouldly;
using Xunit;

namespace Nimbus.Cli.Tests.Sdk;

public sealed class ProfileStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Written_files_are_0600_in_a_new_0700_directory()
    {
        var store = new ProfileStore(_dir.Combine("home", ".nimbus"));

        store.Write(new NimbusProfile { Name = "default", Endpoint = "http://127.0.0.1:7070", AccessKeyId = "NKIA", SecretAccessKey = "s" });

        File.GetUnixFileMode(store.Directory).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.GetUnixFileMode(store.CredentialsPath).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.GetUnixFileMode(store.ConfigPath).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Directory.GetFiles(store.Directory).Length.ShouldBe(2);
    }

    [Fact]
    public void Existing_world_readable_file_is_replaced_by_a_0600_one()
    {
        var store = new ProfileStore(_dir.Path);
        File.WriteAllText(store.CredentialsPath, "[default]\naccess_key_id = OLD\n");
        File.SetUnixFileMode(store.CredentialsPath, (UnixFileMode)0b110_100_100);

        store.Write(new NimbusProfile { Name = "default", AccessKeyId = "NEW", SecretAccessKey = "s" });

        File.GetUnixFileMode(store.CredentialsPath).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Fact]
    public void Files_use_the_aws_style_sections()
    {
        var store = new ProfileStore(_dir.Path);

        store.Write(new NimbusProfile { Name = "default", Endpoint = "http://a:1", Region = "local", Output = "json", AccessKeyId = "NKIA1", SecretAccessKey = "s1" });
        store.Write(new NimbusProfile { Name = "dev", Endpoint = "http://b:2", AccessKeyId = "NKIA2", SecretAccessKey = "s2", SessionToken = "t2" });

        File.ReadAllText(store.CredentialsPath).ShouldBe(
            "[default]\naccess_key_id = NKIA1\nsecret_access_key = s1\n\n[dev]\naccess_key_id = NKIA2\nsecret_access_key = s2\nsession_token = t2\n");
        File.ReadAllText(store.ConfigPath).ShouldBe(
            "[default]\nendpoint = http://a:1\nregion = local\noutput = json\n\n[profile dev]\nendpoint = http://b:2\n");
    }

    [Fact]
    public void Rewriting_a_profile_replaces_only_that_profile()
    {
        var store = new ProfileStore(_dir.Path);
        store.Write(new NimbusProfile { Name = "default", Region = "r1", AccessKeyId = "NKIA1", SecretAccessKey = "s1", SessionToken = "old-token" });
        store.Write(new NimbusProfile { Name = "dev", Region = "r2", AccessKeyId = "NKIA2", SecretAccessKey = "s2" });

        store.Write(new NimbusProfile { Name = "default", Region = "r3", AccessKeyId = "NKIA3", SecretAccessKey = "s3" });

        store.Read("default").ShouldBe(new NimbusProfile { Name = "default", Region = "r3", AccessKeyId = "NKIA3", SecretAccessKey = "s3" });
        store.Read("dev").ShouldBe(new NimbusProfile { Name = "dev", Region = "r2", AccessKeyId = "NKIA2", SecretAccessKey = "s2" });
        store.ListNames().ShouldBe(["default", "dev"]);
        File.ReadAllText(store.ConfigPath).ShouldBe("[default]\nregion = r3\n\n[profile dev]\nregion = r2\n");
    }

    [Fact]
    public void Reading_accepts_plain_and_prefixed_config_sections_case_insensitively()
    {
        var store = new ProfileStore(_dir.Path);
        File.WriteAllText(store.ConfigPath, "[Staging]\r\nEndpoint = http://s:1\r\n; comment\r\n[profile qa]\r\nregion=q\r\n");

        store.Read("staging")!.Endpoint.ShouldBe("http://s:1");
        store.Read("qa")!.Region.ShouldBe("q");
        store.Read("missing").ShouldBeNull();
    }
}
