using System.Text.Json;
using Nimbus.Contracts.Compute;
using Nimbus.Core.Api;
using Nimbus.Sdk;
using Shouldly;
using Xunit;

namespace Nimbus.Compute.Tests;

public sealed class ImageTests
{
    [Fact]
    public async Task Busybox_image_is_built_at_first_start_from_busybox_static()
    {
        Prerequisites.RequireBusybox();
        await using var server = await ComputeServer.StartAsync();
        var image = await server.WaitForBusyboxAsync();

        image.Id.ShouldStartWith("img-");
        image.Kind.ShouldBe("compute/image");
        image.Name.ShouldBe("busybox");
        var spec = image.Spec.Deserialize<ImageSpec>(NimbusJson.Options)!;
        spec.Os.ShouldBe("linux");
        spec.Architecture.ShouldBe("amd64");
        spec.Public.ShouldBeTrue();
        spec.DefaultCommand.ShouldBeEmpty();
        var details = image.Status.Details!.Value.Deserialize<ImageDetailsDto>(NimbusJson.Options)!;
        details.SizeBytes.ShouldBeGreaterThan(new FileInfo("/bin/busybox").Length - 1);
        details.Entries.ShouldBeGreaterThan(250);

        var rootfs = Path.Combine(server.DataDirectory, "compute", "images", image.Id, "rootfs");
        foreach (var applet in new[] { "bin/sh", "usr/sbin/httpd", "usr/bin/wget", "usr/bin/nc", "sbin/ip" })
        {
            new FileInfo(Path.Combine(rootfs, applet)).LinkTarget.ShouldBe("/bin/busybox", applet);
        }

        (await File.ReadAllTextAsync(Path.Combine(rootfs, "etc/passwd"))).ShouldStartWith("root:x:0:0:");
        (await server.Client.Compute.Images.ListAsync()).Select(i => i.Name).ShouldBe(["busybox"]);
        (await server.Client.Compute.Images.GetAsync(image.Id)).Name.ShouldBe("busybox");
    }

    [Fact]
    public async Task Restart_keeps_the_same_busybox_image()
    {
        Prerequisites.RequireBusybox();
        using var data = new Nimbus.Testing.TempDirectory("nimbus-compute");
        string id;
        await using (var first = await ComputeServer.StartAsync(dataDirectory: data.Path))
        {
            id = (await first.WaitForBusyboxAsync()).Id;
            await first.StopServerAsync();
        }

        await using var second = await ComputeServer.StartAsync(dataDirectory: data.Path);
        (await second.WaitForBusyboxAsync()).Id.ShouldBe(id);
        var missing = await Should.ThrowAsync<NimbusApiException>(() => second.Client.Compute.Images.GetAsync("no-such-image"));
        missing.Code.ShouldBe("NotFound");
    }
}
