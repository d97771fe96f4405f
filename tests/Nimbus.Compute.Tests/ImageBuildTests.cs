using System.Text.Json;
using Nimbus.Contracts.Compute;
using Nimbus.Core.Api;
using Nimbus.Sdk;
using Nimbus.Sdk.Compute;
using Shouldly;
using Xunit;

namespace Nimbus.Compute.Tests;

/// <summary>Images built on the node with debootstrap. The real build downloads Debian 12 (about 2 minutes here) and runs once.</summary>
public sealed class ImageBuildTests
{
    [Fact]
    public async Task Build_from_an_unreachable_mirror_fails_with_debootstraps_reason_and_leaves_no_half_image()
    {
        Prerequisites.RequireBusybox();
        ImageFiles.RequireTools("debootstrap");
        await using var server = await ComputeServer.StartAsync(o => o with { ComputeDebianMirror = "http://127.0.0.1:9/debian" });
        var images = server.Client.Compute.Images;
        var pending = await images.BuildAsync(new BuildImageRequest { Recipe = "debian-12", Name = "broken" });
        pending.Status.Phase.ShouldBe("pending");
        var failed = await Should.ThrowAsync<NimbusWaitException>(() => images.WaitUntilAvailableAsync(pending.Id, TimeSpan.FromMinutes(3)));
        failed.Message.ShouldContain("debootstrap bookworm failed");
        Directory.EnumerateDirectories(Path.Combine(server.DataDirectory, "compute", "images")).Select(Path.GetFileName).ShouldNotContain(n => n!.StartsWith(pending.Id, StringComparison.Ordinal));

        (await Should.ThrowAsync<NimbusApiException>(() => images.BuildAsync(new BuildImageRequest { Recipe = "windows-11" }))).Code.ShouldBe("InvalidParameter");
    }

    [Fact]
    public async Task Debian_12_is_built_with_debootstrap_showing_progress_and_runs()
    {
        Prerequisites.RequireRuncHost();
        ImageFiles.RequireTools("debootstrap");
        await using var server = await ComputeServer.StartAsync();
        var images = server.Client.Compute.Images;
        var pending = await images.BuildAsync(new BuildImageRequest { Recipe = "debian-12" });
        pending.Name.ShouldBe("debian-12");

        var messages = new HashSet<string>();
        var image = await Poll.UntilAsync(
            async () =>
            {
                var current = await images.GetAsync(pending.Id);
                if (current.Status.Message is { } message)
                {
                    messages.Add(message);
                }

                return current;
            },
            i => i.Status.Phase is "available" or "failed",
            TimeSpan.FromMinutes(15),
            "debootstrap finishes");
        image.Status.Phase.ShouldBe("available", image.Status.Message);
        messages.ShouldContain(m => m.StartsWith("debootstrap: ", StringComparison.Ordinal));
        image.Status.Details!.Value.Deserialize<ImageDetailsDto>(NimbusJson.Options)!.SizeBytes.ShouldBeGreaterThan(50L * 1024 * 1024);

        var instance = (await server.Client.Compute.Instances.RunAsync(new RunInstancesRequest
        {
            Image = "debian-12", InstanceType = "n1.small", Command = ["bash", "-c", "echo debian $(cat /etc/debian_version); sleep 600"],
        })).Single();
        await server.Client.Compute.Instances.WaitForPhaseAsync(instance.Id, InstancesClient.RunningPhase, ComputeServer.Wait);
        var console = await Poll.UntilAsync(async () => (await server.Client.Compute.Instances.GetConsoleOutputAsync(instance.Id)).Output, o => o.Contains("debian ", StringComparison.Ordinal), what: "bash ran");
        console.ShouldContain("debian 12.");
    }
}
