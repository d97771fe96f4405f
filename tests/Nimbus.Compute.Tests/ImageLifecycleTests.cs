using System.Formats.Tar;
using System.Text.Json;
using Nimbus.Contracts.Compute;
using Nimbus.Contracts.Resources;
using Nimbus.Core.Api;
using Nimbus.Sdk;
using Nimbus.Sdk.Compute;
using Shouldly;
using Xunit;

namespace Nimbus.Compute.Tests;

/// <summary>Images of instances, deletion rules, sharing with another account and deprecation.</summary>
public sealed class ImageLifecycleTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120);
    private ComputeServer _server = null!;

    private ImagesClient Images => _server.Client.Compute.Images;

    private InstancesClient Instances => _server.Client.Compute.Instances;

    public async Task InitializeAsync()
    {
        Prerequisites.RequireRuncHost();
        _server = await ComputeServer.StartAsync();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Image_of_a_stopped_instance_has_its_files_and_deletions_and_delete_waits_for_its_instances()
    {
        var source = (await Instances.RunAsync(new RunInstancesRequest
        {
            Image = "busybox",
            InstanceType = "n1.micro",
            Name = "source",
            UserData = "mkdir -p /data && echo kept > /data/hello && rm /etc/os-release && rm -r /var/www\n",
        })).Single();
        await Instances.WaitForPhaseAsync(source.Id, InstancesClient.RunningPhase, Wait);
        await Poll.UntilAsync(() => Host.ExecAsync(source.Id, "cat", "/data/hello"), r => r.Stdout == "kept\n", what: "user data wrote the file");

        var running = await Should.ThrowAsync<NimbusApiException>(() => Images.CreateFromInstanceAsync(new CreateImageFromInstanceRequest { InstanceId = source.Id, Name = "snap" }));
        running.Code.ShouldBe("IncorrectInstanceState");

        await Instances.StopAsync(source.Id);
        await Instances.WaitForPhaseAsync(source.Id, InstancesClient.StoppedPhase, Wait);
        var snap = await Images.WaitUntilAvailableAsync((await Images.CreateFromInstanceAsync(new CreateImageFromInstanceRequest { InstanceId = source.Id, Name = "snap" })).Id, Wait);
        var spec = snap.Spec.Deserialize<ImageSpec>(NimbusJson.Options)!;
        spec.Source.ShouldBe("instance:" + source.Id);
        spec.BaseImageId.ShouldBe((await Images.GetAsync("busybox")).Id);
        var rootfs = Path.Combine(_server.DataDirectory, "compute", "images", snap.Id, "rootfs");
        Directory.Exists(Path.Combine(rootfs, ".nimbus")).ShouldBeFalse();

        var copy = (await Instances.RunAsync(new RunInstancesRequest
        {
            Image = "snap",
            InstanceType = "n1.micro",
            Name = "copy",
            Command = ["sh", "-c", "cat /data/hello; test -e /etc/os-release && echo os-release-present || echo os-release-gone; test -d /var/www && echo www-present || echo www-gone; sleep 600"],
        })).Single();
        await Instances.WaitForPhaseAsync(copy.Id, InstancesClient.RunningPhase, Wait);
        var console = await Poll.UntilAsync(async () => (await Instances.GetConsoleOutputAsync(copy.Id)).Output, o => o.Contains("www-", StringComparison.Ordinal), what: "the copy's command ran");
        console.ShouldContain("kept\nos-release-gone\nwww-gone\n");

        var inUse = await Should.ThrowAsync<NimbusApiException>(() => Images.DeleteAsync("snap"));
        inUse.Code.ShouldBe("DependencyViolation");
        inUse.Message.ShouldContain(copy.Id);
        (await Should.ThrowAsync<NimbusApiException>(() => Images.DeleteAsync("busybox"))).Code.ShouldBe("OperationNotPermitted");

        await Instances.TerminateAsync(copy.Id);
        await Instances.WaitForPhaseAsync(copy.Id, InstancesClient.TerminatedPhase, Wait);
        await Images.DeleteAsync("snap");
        await Poll.UntilAsync(async () => (await Images.ListAsync()).Any(i => i.Id == snap.Id), present => !present, what: "the image is deleted");
        Directory.Exists(Path.Combine(_server.DataDirectory, "compute", "images", snap.Id)).ShouldBeFalse();
        (await Should.ThrowAsync<NimbusApiException>(() => Images.GetAsync(snap.Id))).Code.ShouldBe("NotFound");
    }

    [Fact]
    public async Task Shared_image_is_listed_and_run_by_the_other_account_which_cannot_change_or_delete_it_and_deprecation_warns()
    {
        using var work = new Nimbus.Testing.TempDirectory("nimbus-share");
        var rootfs = Path.Combine(work.Path, "rootfs");
        ImageFiles.WriteBusyboxRootfs(rootfs);
        var tar = Path.Combine(work.Path, "rootfs.tar");
        await TarFile.CreateFromDirectoryAsync(rootfs, tar, includeBaseDirectory: false);
        var image = await Images.WaitUntilAvailableAsync((await Images.ImportAsync("team-base", tar)).Id, Wait);

        var team = await _server.Client.Iam.Accounts.CreateAsync("team-b");
        using var other = new NimbusClient(new NimbusClientOptions
        {
            Endpoint = _server.Server.Endpoint,
            Credentials = new Nimbus.Contracts.Signing.SigV4Credentials(team.RootAccessKey.AccessKey.AccessKeyId, team.RootAccessKey.SecretAccessKey),
            Region = _server.Server.Host.Options.Region,
            WaitPollInterval = TimeSpan.FromMilliseconds(50),
        });
        var run = new RunInstancesRequest { Image = image.Id, InstanceType = "n1.micro", Command = ["sleep", "600"] };
        (await Should.ThrowAsync<NimbusApiException>(() => other.Compute.Images.GetAsync(image.Id))).Code.ShouldBe("NotFound");
        (await Should.ThrowAsync<NimbusApiException>(() => other.Compute.Instances.RunAsync(run))).Code.ShouldBe("InvalidParameter");

        var shared = await Images.ShareAsync("team-base", [team.Account.Id]);
        shared.Spec.Deserialize<ImageSpec>(NimbusJson.Options)!.SharedWith.ShouldBe([team.Account.Id]);
        (await other.Compute.Images.ListAsync()).Select(i => i.Id).ShouldContain(image.Id);
        var theirs = (await other.Compute.Instances.RunAsync(run)).Single();
        try
        {
            await other.Compute.Instances.WaitForPhaseAsync(theirs.Id, InstancesClient.RunningPhase, Wait);
            (await Should.ThrowAsync<NimbusApiException>(() => other.Compute.Images.DeleteAsync(image.Id))).Code.ShouldBe("AccessDenied");
            (await Should.ThrowAsync<NimbusApiException>(() => other.Compute.Images.ShareAsync(image.Id, ["123456789012"]))).Code.ShouldBe("AccessDenied");
            (await Should.ThrowAsync<NimbusApiException>(() => other.Compute.Images.DeprecateAsync(image.Id))).Code.ShouldBe("AccessDenied");

            var inUse = await Should.ThrowAsync<NimbusApiException>(() => Images.DeleteAsync(image.Id));
            inUse.Code.ShouldBe("DependencyViolation");
            inUse.Message.ShouldContain("1 instance(s) of accounts it is shared with");
            inUse.Message.ShouldNotContain(theirs.Id);

            // Deprecated: existing instances keep running, new runs still work and answer a warning.
            var deprecated = await Images.DeprecateAsync(image.Id, replacement: "busybox");
            deprecated.Spec.Deserialize<ImageSpec>(NimbusJson.Options)!.DeprecatedAt.ShouldNotBeNull();
            var answer = await other.SendAsync<RunInstancesResponse>(HttpMethod.Post, "/v1/compute/instances", run with { Command = ["true"], RestartPolicy = "never" });
            answer.Warnings.ShouldNotBeNull();
            answer.Warnings.Single().ShouldContain("is deprecated since");
            answer.Warnings.Single().ShouldContain("use busybox instead");
            (await other.Compute.Instances.GetAsync(theirs.Id)).Status.Phase.ShouldBe("running");
            await other.Compute.Instances.TerminateAsync(answer.Instances[0].Id);

            // The CLI prints the warning on stderr and still runs the instance.
            using (var home = new TempDirectory("nimbus-cli-home"))
            {
                var (code, stdout, stderr) = await _server.RunCliAsync(home.Path, "compute", "instance", "run", "--image", image.Id, "--type", "n1.micro", "--restart-policy", "never", "--", "true");
                code.ShouldBe(0, stderr);
                stderr.ShouldContain("warning: ");
                stderr.ShouldContain("use busybox instead");
                var id = stdout.Split(' ', StringSplitOptions.RemoveEmptyEntries).First(w => w.StartsWith("i-", StringComparison.Ordinal));
                var terminating = await Instances.TerminateAsync(id);
                await Instances.WaitForPhaseAsync(id, InstancesClient.TerminatedPhase, ComputeServer.Wait, terminating.Version);
            }

            var undeprecated = await Images.UndeprecateAsync(image.Id);
            undeprecated.Spec.Deserialize<ImageSpec>(NimbusJson.Options)!.DeprecatedAt.ShouldBeNull();

            // Unshared: the other account no longer sees it; what it runs keeps running.
            await Images.UnshareAsync(image.Id, [team.Account.Id]);
            (await Should.ThrowAsync<NimbusApiException>(() => other.Compute.Images.GetAsync(image.Id))).Code.ShouldBe("NotFound");
            (await other.Compute.Instances.GetAsync(theirs.Id)).Status.Phase.ShouldBe("running");

            var badShare = await Should.ThrowAsync<NimbusApiException>(() => Images.ShareAsync(image.Id, ["not-an-account"]));
            badShare.Code.ShouldBe("InvalidParameter");
        }
        finally
        {
            await foreach (var instance in other.Compute.Instances.ListAllAsync())
            {
                await other.Compute.Instances.TerminateAsync(instance.Id);
                await other.Compute.Instances.WaitForPhaseAsync(instance.Id, InstancesClient.TerminatedPhase, Wait);
            }
        }

        await Images.DeleteAsync(image.Id);
        await Poll.UntilAsync(async () => (await Images.ListAsync()).Any(i => i.Id == image.Id), present => !present, what: "the image is deleted");
    }
}
