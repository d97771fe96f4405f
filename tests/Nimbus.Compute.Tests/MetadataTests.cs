using System.Text.Json;
using Nimbus.Contracts.Compute;
using Nimbus.Contracts.Iam;
using Nimbus.Contracts.Resources;
using Nimbus.Contracts.Signing;
using Nimbus.Sdk;
using Nimbus.Sdk.Compute;
using Shouldly;
using Xunit;

namespace Nimbus.Compute.Tests;

/// <summary>The instance metadata service at 169.254.169.254, asked from inside real instances.</summary>
public sealed class MetadataTests : NetworkHostTest
{
    private const string TrustCompute = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"compute.nimbus"},"Action":"sts:AssumeRole"}]}""";

    private InstancesClient Instances => Server.Client.Compute.Instances;

    private async Task<ResourceDto> RunAsync(RunInstancesRequest request)
    {
        var created = (await Instances.RunAsync(request)).Single();
        return await Instances.WaitForPhaseAsync(created.Id, InstancesClient.RunningPhase, ComputeServer.Wait);
    }

    /// <summary>The console once the user data printed <paramref name="marker"/>.</summary>
    private Task<string> ConsoleUntilAsync(string id, string marker) =>
        Poll.UntilAsync(async () => (await Instances.GetConsoleOutputAsync(id)).Output, c => c.Contains(marker, StringComparison.Ordinal), what: $"'{marker}' on the console");

    /// <summary>curl run in the instance's network namespace (the host's curl, the instance's address and routes).</summary>
    private Task<(int ExitCode, string Stdout, string Stderr)> CurlInInstanceAsync(string instanceId, params string[] arguments) =>
        Host.RunAsync("ip", ["netns", "exec", Server.NetnsOf(instanceId), "curl", "-sS", "--max-time", "5", .. arguments]);

    [Fact]
    public async Task Metadata_service_returns_the_instance_identity_tags_and_user_data()
    {
        const string userData = """
            #!/bin/sh
            m=http://169.254.169.254/latest
            for p in meta-data/instance-id meta-data/instance-type meta-data/hostname meta-data/local-ipv4 meta-data/tags/instance/team; do
              echo "$p=$(wget -qO- $m/$p)"
            done
            wget -qO- $m/meta-data/ | tr '\n' ' '; echo
            echo "user-data-lines=$(wget -qO- $m/user-data | wc -l)"
            echo metadata-done
            """;
        var instance = await RunAsync(new RunInstancesRequest
        {
            Image = "busybox", InstanceType = "n1.micro", Name = "md1", UserData = userData, Tags = new Dictionary<string, string> { ["team"] = "blue" },
        });
        var ip = InstancesClient.PrivateIpAddressOf(instance);
        var console = await ConsoleUntilAsync(instance.Id, "metadata-done");
        console.ShouldContain($"meta-data/instance-id={instance.Id}\n");
        console.ShouldContain("meta-data/instance-type=n1.micro\n");
        console.ShouldContain("meta-data/hostname=md1\n");
        console.ShouldContain($"meta-data/local-ipv4={ip}\n");
        console.ShouldContain("meta-data/tags/instance/team=blue\n");
        console.ShouldContain("ami-id hostname instance-id instance-type local-hostname local-ipv4 mac placement/ tags/ \n");
        console.ShouldContain($"user-data-lines={userData.Split('\n').Length - 1}\n");

        // IMDSv2: a token from PUT, then GETs with it; a wrong token is refused.
        var token = await CurlInInstanceAsync(instance.Id, "-X", "PUT", "-H", "X-aws-ec2-metadata-token-ttl-seconds: 60", "http://169.254.169.254/latest/api/token");
        token.ExitCode.ShouldBe(0, token.Stderr);
        var id = await CurlInInstanceAsync(instance.Id, "-H", $"X-aws-ec2-metadata-token: {token.Stdout}", "http://169.254.169.254/latest/meta-data/instance-id");
        id.Stdout.ShouldBe(instance.Id);
        var bad = await CurlInInstanceAsync(instance.Id, "-o", "/dev/null", "-w", "%{http_code}", "-H", "X-aws-ec2-metadata-token: nope.nope", "http://169.254.169.254/latest/meta-data/instance-id");
        bad.Stdout.ShouldBe("401");
        var ttl = await CurlInInstanceAsync(instance.Id, "-o", "/dev/null", "-w", "%{http_code}", "-X", "PUT", "-H", "X-aws-ec2-metadata-token-ttl-seconds: 99999", "http://169.254.169.254/latest/api/token");
        ttl.Stdout.ShouldBe("400");

        // Anti-spoofing: a packet from the instance's veth with another source address never reaches the service.
        (await Host.RunAsync("ip", ["-n", Server.NetnsOf(instance.Id), "addr", "add", SpoofedAddress(ip!), "dev", "eth0"])).ExitCode.ShouldBe(0);
        var spoofed = await CurlInInstanceAsync(instance.Id, "--interface", SpoofedAddress(ip!)[..^3], "--max-time", "2", "http://169.254.169.254/latest/meta-data/instance-id");
        spoofed.ExitCode.ShouldNotBe(0, "a spoofed source must be dropped at the bridge port, got: " + spoofed.Stdout);
    }

    [Fact]
    public async Task An_instance_that_requires_tokens_refuses_imdsv1()
    {
        var instance = await RunAsync(new RunInstancesRequest { Image = "busybox", InstanceType = "n1.micro", Name = "md2", MetadataTokens = "required" });
        var plain = await CurlInInstanceAsync(instance.Id, "-o", "/dev/null", "-w", "%{http_code}", "http://169.254.169.254/latest/meta-data/instance-id");
        plain.Stdout.ShouldBe("401");
        var token = await CurlInInstanceAsync(instance.Id, "-X", "PUT", "-H", "X-aws-ec2-metadata-token-ttl-seconds: 60", "http://169.254.169.254/latest/api/token");
        var id = await CurlInInstanceAsync(instance.Id, "-H", $"X-aws-ec2-metadata-token: {token.Stdout}", "http://169.254.169.254/latest/meta-data/instance-id");
        id.Stdout.ShouldBe(instance.Id);
    }

    [Fact]
    public async Task Role_credentials_fetched_inside_the_instance_sign_calls_the_role_allows_and_no_others()
    {
        var role = await Server.Client.Iam.Roles.CreateAsync(new CreateRoleRequest { Name = "app-role", TrustPolicy = TrustCompute });
        await Server.Client.Iam.Roles.PutPolicyAsync(role.Id, "types", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"compute:ListInstanceTypes","Resource":"*"}]}""");
        const string userData = "#!/bin/sh\necho creds-begin\nwget -O- http://169.254.169.254/latest/meta-data/iam/security-credentials/app-role\necho\necho creds-end\n";
        var instance = await RunAsync(new RunInstancesRequest { Image = "busybox", InstanceType = "n1.micro", Name = "app", UserData = userData, IamRole = "app-role" });
        var console = await ConsoleUntilAsync(instance.Id, "creds-end");
        var json = console[(console.IndexOf("creds-begin\n", StringComparison.Ordinal) + 12)..];
        json = json[json.IndexOf('{', StringComparison.Ordinal)..(json.IndexOf('}', StringComparison.Ordinal) + 1)];
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        root.GetProperty("Code").GetString().ShouldBe("Success");
        var expiration = root.GetProperty("Expiration").GetDateTimeOffset();
        expiration.ShouldBeGreaterThan(DateTimeOffset.UtcNow.AddMinutes(50));
        var credentials = new SigV4Credentials(root.GetProperty("AccessKeyId").GetString()!, root.GetProperty("SecretAccessKey").GetString()!, root.GetProperty("Token").GetString());

        using var asRole = new NimbusClient(Server.Client.Options with { Credentials = credentials });
        (await asRole.Compute.InstanceTypes.ListAsync()).ShouldNotBeEmpty();
        var denied = await Should.ThrowAsync<NimbusApiException>(() => asRole.Compute.Instances.ListAsync());
        denied.Code.ShouldBe("AccessDenied");
        var caller = await asRole.Sts.GetCallerIdentityAsync();
        caller.Principal.ShouldEndWith($":assumed-role/app-role/{instance.Id}");

        // The same credentials again while they are far from expiry, and the issuance is in the audit trail.
        var again = await CurlInInstanceAsync(instance.Id, "http://169.254.169.254/latest/meta-data/iam/security-credentials/app-role");
        again.Stdout.ShouldContain(credentials.AccessKeyId);
        (await CurlInInstanceAsync(instance.Id, "http://169.254.169.254/latest/meta-data/iam/security-credentials/")).Stdout.ShouldBe("app-role\n");
        var issued = await Poll.UntilAsync(
            async () => (await Server.Client.Audit.ListEventsAsync(new Nimbus.Sdk.Audit.AuditEventFilter { Action = "sts:AssumeRole" })).Items,
            items => items.Any(e => e.Principal == "compute.nimbus"),
            what: "the credential issuance in the audit trail");
        var record = issued.Single(e => e.Principal == "compute.nimbus");
        record.Outcome.ShouldBe("allowed");
        record.SessionName.ShouldBe(instance.Id);
        record.Resources.ShouldContain(role.Nrn);
    }

    [Fact]
    public async Task Giving_an_instance_a_role_needs_pass_role_and_a_trust_policy_naming_compute()
    {
        await Server.Client.Iam.Roles.CreateAsync(new CreateRoleRequest { Name = "trusted", TrustPolicy = TrustCompute });
        var account = (await Server.Client.Sts.GetCallerIdentityAsync()).Account;
        var user = await Server.Client.Iam.Roles.CreateAsync(new CreateRoleRequest
        {
            Name = "users-only",
            TrustPolicy = $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Nimbus":"nrn:nimbus:iam::{{account}}:root"},"Action":"sts:AssumeRole"}]}""",
        });
        var untrusted = await Should.ThrowAsync<NimbusApiException>(() => Instances.RunAsync(new RunInstancesRequest { Image = "busybox", InstanceType = "n1.micro", IamRole = "users-only" }));
        untrusted.Code.ShouldBe("InvalidParameter");
        untrusted.Message.ShouldContain("compute.nimbus");
        var missing = await Should.ThrowAsync<NimbusApiException>(() => Instances.RunAsync(new RunInstancesRequest { Image = "busybox", InstanceType = "n1.micro", IamRole = "no-such-role" }));
        missing.Code.ShouldBe("InvalidParameter");

        var developer = await Server.Client.Iam.Users.CreateAsync(new CreateUserRequest { Name = "dev" });
        await Server.Client.Iam.Users.AttachPolicyAsync(developer.Id, "ComputeFullAccess");
        var key = await Server.Client.Iam.AccessKeys.CreateAsync("dev");
        using var dev = new NimbusClient(Server.Client.Options with { Credentials = new SigV4Credentials(key.AccessKey.AccessKeyId, key.SecretAccessKey) });
        var denied = await Should.ThrowAsync<NimbusApiException>(() => dev.Compute.Instances.RunAsync(new RunInstancesRequest { Image = "busybox", InstanceType = "n1.micro", IamRole = "trusted" }));
        denied.Code.ShouldBe("AccessDenied");
        denied.Message.ShouldContain("iam:PassRole");
        (await dev.Compute.Instances.ListAsync()).Items.ShouldBeEmpty("a refused run creates nothing");
        user.Name.ShouldBe("users-only");
    }

    /// <summary>Another address of the same /24 (the network's last usable one), with its prefix.</summary>
    private static string SpoofedAddress(string ip) => string.Join('.', ip.Split('.')[..3]) + ".254/24";
}
