using Nimbus.Cli.Output;
using Nimbus.Sdk.Configuration;
using Nimbus.Sdk.S3;
using Shouldly;
using Xunit;

namespace Nimbus.Cli.Tests.Sdk;

/// <summary>Where the S3 endpoint comes from, the s3:// syntax, and the pieces of the storage CLI that need no server.</summary>
public sealed class S3SettingsTests
{
    [Fact]
    public void S3_endpoint_comes_from_the_override_then_the_environment_then_the_profile_then_the_api_host_on_port_9000()
    {
        using var dir = new TempDirectory();
        var environment = new Dictionary<string, string> { ["NIMBUS_CONFIG_DIR"] = dir.Path, ["NIMBUS_ENDPOINT"] = "http://10.1.2.3:7070" };
        new CredentialChain(environment).Resolve().S3Endpoint.ShouldBe(new Uri("http://10.1.2.3:9000"));

        new ProfileStore(dir.Path).Write(new NimbusProfile { Name = "default", S3Endpoint = "http://storage:9100", AccessKeyId = "NKIA", SecretAccessKey = "s" });
        new ProfileStore(dir.Path).Read("default")!.S3Endpoint.ShouldBe("http://storage:9100");
        File.ReadAllText(Path.Combine(dir.Path, "config")).ShouldContain("s3_endpoint = http://storage:9100");
        new CredentialChain(environment).Resolve().S3Endpoint.ShouldBe(new Uri("http://storage:9100"));

        environment["NIMBUS_S3_ENDPOINT"] = "http://env:9200";
        var settings = new CredentialChain(environment).Resolve();
        settings.S3Endpoint.ShouldBe(new Uri("http://env:9200"));
        settings.ToS3ClientOptions().Endpoint.ShouldBe(new Uri("http://env:9200"));
        new CredentialChain(environment).Resolve(new SettingsOverrides { S3Endpoint = "http://flag:9300" }).S3Endpoint.ShouldBe(new Uri("http://flag:9300"));

        environment["NIMBUS_S3_ENDPOINT"] = "not a url";
        Should.Throw<Nimbus.Sdk.NimbusConfigurationException>(() => new CredentialChain(environment).Resolve());
    }

    [Theory]
    [InlineData("s3://photos", "photos", "")]
    [InlineData("s3://photos/", "photos", "")]
    [InlineData("s3://photos/2024/cat.jpg", "photos", "2024/cat.jpg")]
    [InlineData("S3://photos//lead", "photos", "/lead")]
    [InlineData("s3://photos/a b/%41", "photos", "a b/%41")]
    public void S3_locations_parse_like_awscli(string text, string bucket, string key) =>
        S3Location.Parse(text).ShouldBe(new S3Location(bucket, key));

    [Theory]
    [InlineData("s3://")]
    [InlineData("s3:///key")]
    [InlineData("photos/key")]
    public void Locations_without_a_bucket_are_refused(string text) =>
        Should.Throw<FormatException>(() => S3Location.Parse(text));

    [Fact]
    public void Lifecycle_options_become_one_enabled_rule()
    {
        var xml = Commands.BucketLifecycleCommands.Rule("logs/", 30, 10, 7);
        xml.ShouldBe(
            "<LifecycleConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Rule><ID>nimbus-cli</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status>"
            + "<Expiration><Days>30</Days></Expiration><NoncurrentVersionExpiration><NoncurrentDays>10</NoncurrentDays></NoncurrentVersionExpiration>"
            + "<AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule></LifecycleConfiguration>");
    }

    [Fact]
    public async Task Progress_bar_is_drawn_only_on_a_terminal()
    {
        var stderr = new StringWriter();
        var host = new CliHost { Stdout = TextWriter.Null, Stderr = stderr, Environment = new Dictionary<string, string>(), StderrIsTerminal = true };
        var bar = TransferProgress.Start(new CliContext(host, new GlobalOptions()), "upload big.bin", 10L * 1024 * 1024)!;
        bar.Line(5L * 1024 * 1024, 2).ShouldBe("upload big.bin [############............] 5.0 MiB / 10.0 MiB  50% 2.5 MiB/s");
        bar.Report(10L * 1024 * 1024);
        bar.Complete();
        stderr.ToString().ShouldStartWith("\rupload big.bin [########################] 10.0 MiB / 10.0 MiB 100% ");
        stderr.ToString().ShouldEndWith("\r\u001b[K");

        var piped = host with { StderrIsTerminal = false };
        TransferProgress.Start(new CliContext(piped, new GlobalOptions()), "x", 1).ShouldBeNull();
        await Task.CompletedTask;
    }
}
