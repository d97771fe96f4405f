using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using Nimbus.Contracts.Compute;
using Nimbus.Core.Api;
using Nimbus.Sdk;
using Nimbus.Sdk.Compute;
using Shouldly;
using Xunit;

namespace Nimbus.Compute.Tests;

public sealed class ImageImportTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Oci_archive_made_with_umoci_and_skopeo_imports_and_runs_its_cmd_with_env_workdir_and_whiteouts()
    {
        Prerequisites.RequireRuncHost();
        ImageFiles.RequireTools("umoci", "skopeo");
        using var work = new Nimbus.Testing.TempDirectory("nimbus-oci");
        var layout = Path.Combine(work.Path, "layout");
        var bundle = Path.Combine(work.Path, "bundle");

        // Layer 1: a busybox userland with /etc/motd. Layer 2: /etc/motd deleted (a whiteout in the layer).
        await ImageFiles.RunAsync("umoci", "init", "--layout", layout);
        await ImageFiles.RunAsync("umoci", "new", "--image", layout + ":app");
        await ImageFiles.RunAsync("umoci", "unpack", "--image", layout + ":app", bundle);
        ImageFiles.WriteBusyboxRootfs(Path.Combine(bundle, "rootfs"));
        await ImageFiles.RunAsync("umoci", "repack", "--image", layout + ":app", bundle);
        Directory.Delete(bundle, recursive: true);
        await ImageFiles.RunAsync("umoci", "unpack", "--image", layout + ":app", bundle);
        File.Delete(Path.Combine(bundle, "rootfs/etc/motd"));
        await ImageFiles.RunAsync("umoci", "repack", "--image", layout + ":app", bundle);
        await ImageFiles.RunAsync(
            "umoci", "config", "--image", layout + ":app", "--config.workingdir", "/srv", "--config.env", "GREETING=hello-oci",
            "--config.entrypoint", "/bin/sh", "--config.cmd", "-c",
            "--config.cmd", "echo \"cmd ran in $PWD: $GREETING\"; if test -e /etc/motd; then echo motd-present; else echo motd-gone; fi; sleep 600");
        var archive = Path.Combine(work.Path, "app.oci.tar");
        await ImageFiles.RunAsync("skopeo", "copy", "oci:" + layout + ":app", "oci-archive:" + archive);

        await using var server = await ComputeServer.StartAsync();
        var images = server.Client.Compute.Images;
        var pending = await images.ImportAsync("app", archive, "made by umoci and skopeo");
        pending.Status.Phase.ShouldBe("pending");
        var image = await images.WaitUntilAvailableAsync(pending.Id, Wait);
        var details = image.Status.Details!.Value.Deserialize<ImageDetailsDto>(NimbusJson.Options)!;
        details.Format.ShouldBe("oci-archive");
        details.DefaultCommand.ShouldBe(["/bin/sh", "-c", "echo \"cmd ran in $PWD: $GREETING\"; if test -e /etc/motd; then echo motd-present; else echo motd-gone; fi; sleep 600"]);
        details.WorkingDirectory.ShouldBe("/srv");
        details.Environment!.ShouldContain("GREETING=hello-oci");
        var rootfs = Path.Combine(server.DataDirectory, "compute", "images", image.Id, "rootfs");
        File.Exists(Path.Combine(rootfs, "bin/busybox")).ShouldBeTrue();
        File.Exists(Path.Combine(rootfs, "etc/motd")).ShouldBeFalse();
        Directory.EnumerateFileSystemEntries(rootfs, ".wh.*", SearchOption.AllDirectories).ShouldBeEmpty();
        File.Exists(server.Server.Host.Services.GetService(typeof(Images.ImageService)) is Images.ImageService service ? service.UploadPath(image.Id) : "x").ShouldBeFalse();

        var instance = (await server.Client.Compute.Instances.RunAsync(new RunInstancesRequest { Image = "app", InstanceType = "n1.micro", Name = "oci" }))[0];
        await server.Client.Compute.Instances.WaitForPhaseAsync(instance.Id, InstancesClient.RunningPhase, Wait);
        var console = await Poll.UntilAsync(
            async () => (await server.Client.Compute.Instances.GetConsoleOutputAsync(instance.Id)).Output,
            o => o.Contains("motd-", StringComparison.Ordinal),
            what: "the image's Cmd writes to the console");
        console.ShouldContain("cmd ran in /srv: hello-oci\nmotd-gone\n");
    }

    [Fact]
    public async Task Rootfs_tar_gz_keeps_owners_modes_and_hard_links_and_skips_device_nodes()
    {
        Prerequisites.RequireBusybox();
        using var work = new Nimbus.Testing.TempDirectory("nimbus-tar");
        var tar = Path.Combine(work.Path, "rootfs.tar");
        await ImageFiles.WriteTarAsync(
            tar,
            ImageFiles.Dir("./"),
            ImageFiles.Dir("./etc/"),
            ImageFiles.File_("./etc/app.conf", "port=80\n", uid: 1234, mode: 0x1A0),
            ImageFiles.File_("./usr/bin/tool", "#!/bin/sh\n", mode: 0x9ED /* 4755 */),
            ImageFiles.Link(TarEntryType.HardLink, "./usr/bin/tool-again", "./usr/bin/tool"),
            ImageFiles.Link(TarEntryType.SymbolicLink, "./etc/alias", "/etc/app.conf"),
            new PaxTarEntry(TarEntryType.CharacterDevice, "./dev/null") { DeviceMajor = 1, DeviceMinor = 3, Mode = (UnixFileMode)0x1B6 });
        var gzip = tar + ".gz";
        await using (var input = File.OpenRead(tar))
        await using (var output = new GZipStream(File.Create(gzip), CompressionLevel.Fastest))
        {
            await input.CopyToAsync(output);
        }

        await using var server = await ComputeServer.StartAsync();
        var image = await server.Client.Compute.Images.WaitUntilAvailableAsync((await server.Client.Compute.Images.ImportAsync("plain", gzip)).Id, Wait);
        var details = image.Status.Details!.Value.Deserialize<ImageDetailsDto>(NimbusJson.Options)!;
        details.Format.ShouldBe("rootfs-tar-gzip");
        details.SkippedEntries.ShouldBe(1);
        details.DefaultCommand.ShouldBeEmpty();

        var rootfs = Path.Combine(server.DataDirectory, "compute", "images", image.Id, "rootfs");
        var (_, stat, _) = await Host.RunAsync("stat", ["-c", "%u:%g %a %i", Path.Combine(rootfs, "etc/app.conf"), Path.Combine(rootfs, "usr/bin/tool"), Path.Combine(rootfs, "usr/bin/tool-again")]);
        var lines = stat.Trim().Split('\n');
        lines[0].ShouldStartWith("1234:1234 640 ");
        lines[1].ShouldStartWith("0:0 4755 ");
        lines[2].Split(' ')[2].ShouldBe(lines[1].Split(' ')[2], "the hard link shares the file's inode");
        new FileInfo(Path.Combine(rootfs, "etc/alias")).LinkTarget.ShouldBe("/etc/app.conf");
        File.Exists(Path.Combine(rootfs, "dev/null")).ShouldBeFalse();
    }

    [Theory]
    [InlineData("traversal", "contains '..' (path traversal)")]
    [InlineData("absolute", "is an absolute path")]
    [InlineData("symlink", "goes through the symbolic link 'escape'")]
    [InlineData("hardlink", "hard link target")]
    public async Task Hostile_tarball_is_refused_with_a_clear_reason_and_writes_nothing_outside(string attack, string reason)
    {
        Prerequisites.RequireBusybox();
        using var work = new Nimbus.Testing.TempDirectory("nimbus-hostile");
        var outside = Path.Combine(work.Path, "outside");
        Directory.CreateDirectory(outside);
        var tar = Path.Combine(work.Path, "evil.tar");
        var marker = "pwned-" + Guid.NewGuid().ToString("N")[..8];
        TarEntry[] entries = attack switch
        {
            "traversal" => [ImageFiles.File_("etc/ok", "fine"), ImageFiles.File_("../../../../../../.." + outside + "/" + marker, "x")],
            "absolute" => [ImageFiles.File_("etc/ok", "fine"), ImageFiles.File_(outside + "/" + marker, "x")],
            "symlink" => [ImageFiles.Link(TarEntryType.SymbolicLink, "escape", outside), ImageFiles.File_("escape/" + marker, "x")],
            _ => [ImageFiles.Link(TarEntryType.HardLink, "etc/shadow-copy", outside + "/secret")],
        };
        await File.WriteAllTextAsync(Path.Combine(outside, "secret"), "secret");
        await ImageFiles.WriteTarAsync(tar, entries);

        await using var server = await ComputeServer.StartAsync();
        var images = server.Client.Compute.Images;
        var pending = await images.ImportAsync("evil-" + attack, tar);
        var failed = await Should.ThrowAsync<NimbusWaitException>(() => images.WaitUntilAvailableAsync(pending.Id, Wait));
        failed.Message.ShouldContain(reason);
        var image = await images.GetAsync(pending.Id);
        image.Status.Phase.ShouldBe("failed");
        image.Status.Message!.ShouldContain("nothing was imported");

        File.Exists(Path.Combine(outside, marker)).ShouldBeFalse();
        Directory.EnumerateFileSystemEntries(outside).ShouldBe([Path.Combine(outside, "secret")]);
        var imagesDirectory = Path.Combine(server.DataDirectory, "compute", "images");
        Directory.EnumerateDirectories(imagesDirectory).Select(Path.GetFileName).ShouldNotContain(n => n!.StartsWith(pending.Id, StringComparison.Ordinal));
        Directory.EnumerateFiles(Path.Combine(server.DataDirectory, "compute", "uploads")).ShouldBeEmpty();

        // A failed image is not retried and cannot be run; it can be deleted.
        var run = await Should.ThrowAsync<NimbusApiException>(() => server.Client.Compute.Instances.RunAsync(new RunInstancesRequest { Image = pending.Id, InstanceType = "n1.micro" }));
        run.Code.ShouldBe("InvalidParameter");
        await images.DeleteAsync(pending.Id);
        await Poll.UntilAsync(async () => (await images.ListAsync()).Any(i => i.Id == pending.Id), present => !present, what: "the failed image is deleted");
    }

    [Fact]
    public async Task Upload_that_does_not_match_its_signed_hash_or_is_not_an_archive_keeps_nothing()
    {
        Prerequisites.RequireBusybox();
        using var work = new Nimbus.Testing.TempDirectory("nimbus-bad");
        await using var server = await ComputeServer.StartAsync();
        using var http = server.Server.AnonymousHttpClient();

        // Signed as the SHA-256 of other bytes: the body is refused once read, nothing is declared.
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server.Server.Endpoint, "/v1/compute/images/import?name=tampered"))
        {
            Content = new ByteArrayContent("not the bytes that were signed"u8.ToArray()),
        };
        Nimbus.Contracts.Signing.SigV4Signer.Sign(
            request, server.Server.AdminCredentials, server.Server.Host.Options.Region, "nimbus", DateTimeOffset.UtcNow,
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("other"u8)));
        using var response = await http.SendAsync(request);
        ((int)response.StatusCode).ShouldBe(400);
        (await response.Content.ReadAsStringAsync()).ShouldContain("BadDigest");
        (await server.Client.Compute.Images.ListAsync()).Select(i => i.Name).ShouldBe(["busybox"]);

        var text = Path.Combine(work.Path, "notes.txt");
        await File.WriteAllTextAsync(text, "this is not a tar archive at all, just some text that is long enough to be read as a header block. " + new string('x', 600));
        var pending = await server.Client.Compute.Images.ImportAsync("notes", text);
        var failed = await Should.ThrowAsync<NimbusWaitException>(() => server.Client.Compute.Images.WaitUntilAvailableAsync(pending.Id, Wait));
        failed.Message.ShouldContain("not a valid tar archive");

        var duplicate = await Should.ThrowAsync<NimbusApiException>(() => server.Client.Compute.Images.ImportAsync("notes", text));
        duplicate.Code.ShouldBe("AlreadyExists");
        var badName = await Should.ThrowAsync<NimbusApiException>(() => server.Client.Compute.Images.ImportAsync("bad name!", text));
        badName.Code.ShouldBe("InvalidParameter");
    }
}
