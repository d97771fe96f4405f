using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Nimbus.Contracts.Compute;
using Nimbus.Core.Api;
using Nimbus.Sdk;
using Nimbus.Sdk.Compute;
using Shouldly;
using Xunit;

namespace Nimbus.Compute.Tests;

/// <summary>zstd-compressed OCI layers (<c>application/vnd.oci.image.layer.v1.tar+zstd</c>) and <c>.tar.zst</c> rootfs archives.</summary>
public sealed class ImageZstdTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Oci_archive_with_a_zstd_layer_made_by_zstd_imports_and_runs_its_cmd()
    {
        Prerequisites.RequireRuncHost();
        ImageFiles.RequireTools("zstd");
        using var work = new Nimbus.Testing.TempDirectory("nimbus-zstd");
        var rootfs = Path.Combine(work.Path, "rootfs");
        ImageFiles.WriteBusyboxRootfs(rootfs);
        var layerTar = Path.Combine(work.Path, "layer.tar");
        await TarFile.CreateFromDirectoryAsync(rootfs, layerTar, includeBaseDirectory: false);
        var layerZst = layerTar + ".zst";
        await ImageFiles.RunAsync("zstd", "-q", "-3", layerTar, "-o", layerZst);

        // An OCI image layout by hand: the layer, a config with Cmd, a manifest naming the layer tar+zstd, the index.
        var layout = Path.Combine(work.Path, "layout");
        var blobs = Path.Combine(layout, "blobs", "sha256");
        Directory.CreateDirectory(blobs);
        string Blob(byte[] bytes)
        {
            var hex = Convert.ToHexStringLower(SHA256.HashData(bytes));
            File.WriteAllBytes(Path.Combine(blobs, hex), bytes);
            return "sha256:" + hex;
        }

        var layerBytes = await File.ReadAllBytesAsync(layerZst);
        var layerDigest = Blob(layerBytes);
        var diffId = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(layerTar)));
        var config = Encoding.UTF8.GetBytes($$"""
            {"architecture":"{{ImageServiceArchitecture()}}","os":"linux","config":{"Cmd":["/bin/sh","-c","echo zstd-layer-ran; sleep 600"] },"rootfs":{"type":"layers","diff_ids":["{{diffId}}"] } }
            """);
        var configDigest = Blob(config);
        var manifest = Encoding.UTF8.GetBytes($$"""
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
             "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{configDigest}}","size":{{config.Length}}},
             "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+zstd","digest":"{{layerDigest}}","size":{{layerBytes.Length}}}]}
            """);
        var manifestDigest = Blob(manifest);
        await File.WriteAllTextAsync(Path.Combine(layout, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""");
        await File.WriteAllTextAsync(Path.Combine(layout, "index.json"), $$"""
            {"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{{manifestDigest}}","size":{{manifest.Length}}}]}
            """);
        var archive = Path.Combine(work.Path, "app.oci.tar");
        await TarFile.CreateFromDirectoryAsync(layout, archive, includeBaseDirectory: false);

        await using var server = await ComputeServer.StartAsync();
        var images = server.Client.Compute.Images;
        var image = await images.WaitUntilAvailableAsync((await images.ImportAsync("zstd-app", archive)).Id, Wait);
        var details = image.Status.Details!.Value.Deserialize<ImageDetailsDto>(NimbusJson.Options)!;
        details.Format.ShouldBe("oci-archive");
        details.DefaultCommand.ShouldBe(["/bin/sh", "-c", "echo zstd-layer-ran; sleep 600"]);
        File.Exists(Path.Combine(server.DataDirectory, "compute", "images", image.Id, "rootfs", "bin/busybox")).ShouldBeTrue();

        var instance = (await server.Client.Compute.Instances.RunAsync(new RunInstancesRequest { Image = "zstd-app", InstanceType = "n1.micro" }))[0];
        await server.Client.Compute.Instances.WaitForPhaseAsync(instance.Id, InstancesClient.RunningPhase, Wait);
        await Poll.UntilAsync(
            async () => (await server.Client.Compute.Instances.GetConsoleOutputAsync(instance.Id)).Output,
            o => o.Contains("zstd-layer-ran", StringComparison.Ordinal),
            what: "the image's Cmd from the zstd layer writes to the console");
    }

    [Fact]
    public async Task Rootfs_tar_zst_imports_and_damaged_zstd_fails_with_the_reason()
    {
        Prerequisites.RequireBusybox();
        ImageFiles.RequireTools("zstd");
        using var work = new Nimbus.Testing.TempDirectory("nimbus-zst");
        var tar = Path.Combine(work.Path, "rootfs.tar");
        await ImageFiles.WriteTarAsync(tar, ImageFiles.Dir("./"), ImageFiles.Dir("./etc/"), ImageFiles.File_("./etc/hostname", new string('z', 100_000)));
        await ImageFiles.RunAsync("zstd", "-q", tar, "-o", tar + ".zst");
        var damaged = Path.Combine(work.Path, "damaged.tar.zst");
        var bytes = await File.ReadAllBytesAsync(tar + ".zst");
        await File.WriteAllBytesAsync(damaged, bytes[..(bytes.Length / 2)]);

        await using var server = await ComputeServer.StartAsync();
        var images = server.Client.Compute.Images;
        var image = await images.WaitUntilAvailableAsync((await images.ImportAsync("zst", tar + ".zst")).Id, Wait);
        image.Status.Details!.Value.Deserialize<ImageDetailsDto>(NimbusJson.Options)!.Format.ShouldBe("rootfs-tar-zstd");
        (await File.ReadAllTextAsync(Path.Combine(server.DataDirectory, "compute", "images", image.Id, "rootfs", "etc/hostname"))).Length.ShouldBe(100_000);

        var pending = await images.ImportAsync("damaged", damaged);
        var failed = await Should.ThrowAsync<NimbusWaitException>(() => images.WaitUntilAvailableAsync(pending.Id, Wait));
        failed.Message.ShouldContain("the archive is not valid zstd data");
    }

    private static string ImageServiceArchitecture() => Images.ImageService.NodeArchitecture();
}
