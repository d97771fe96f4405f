using System.Formats.Tar;
using System.Text;
using System.Text.Json;
using Nimbus.Agent.Linux;
using Nimbus.Contracts.Compute;
using Nimbus.Core.Api;
using Nimbus.Sdk.Compute;
using Shouldly;
using Xunit;

namespace Nimbus.Compute.Tests;

/// <summary>Extended attributes (file capabilities, <c>user.*</c>) of imported archives land on the image's files.</summary>
public sealed class ImageXattrTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Gnu_tar_xattrs_keep_file_capabilities_and_user_attributes_and_the_image_runs()
    {
        Prerequisites.RequireRuncHost();
        ImageFiles.RequireTools("tar", "setcap", "getcap");
        using var work = new Nimbus.Testing.TempDirectory("nimbus-xattr");
        var rootfs = Path.Combine(work.Path, "rootfs");
        ImageFiles.WriteBusyboxRootfs(rootfs);
        var ping = Path.Combine(rootfs, "bin/uname");
        File.Copy("/bin/busybox", ping);
        File.SetUnixFileMode(ping, (UnixFileMode)0x1ED);

        // cap_setuid is bit 7: its value has a byte 0x80, which is not UTF-8 text (the raw bytes must survive).
        await ImageFiles.RunAsync("setcap", "cap_setuid,cap_net_bind_service=ep", ping);
        FileCalls.SetExtendedAttribute(Path.Combine(rootfs, "etc/motd"), "user.origin", "built-by-test"u8).ShouldBe(0, "the test's own file system takes user.* attributes");
        var tar = Path.Combine(work.Path, "rootfs.tar");
        await ImageFiles.RunAsync("tar", "--xattrs", "--xattrs-include=*", "-C", rootfs, "-cf", tar, ".");

        await using var server = await ComputeServer.StartAsync();
        var images = server.Client.Compute.Images;
        var image = await images.WaitUntilAvailableAsync((await images.ImportAsync("caps", tar)).Id, Wait);
        var details = image.Status.Details!.Value.Deserialize<ImageDetailsDto>(NimbusJson.Options)!;
        (details.Warnings ?? []).ShouldBeEmpty();

        var imported = Path.Combine(server.DataDirectory, "compute", "images", image.Id, "rootfs");
        var (code, getcap, _) = await Host.RunAsync("getcap", [Path.Combine(imported, "bin/uname")]);
        code.ShouldBe(0);
        getcap.ShouldContain("cap_setuid,cap_net_bind_service=ep");
        FileCalls.GetExtendedAttribute(Path.Combine(imported, "bin/uname"), "security.capability")
            .ShouldBe(FileCalls.GetExtendedAttribute(ping, "security.capability"));
        Encoding.UTF8.GetString(FileCalls.GetExtendedAttribute(Path.Combine(imported, "etc/motd"), "user.origin")!).ShouldBe("built-by-test");

        var instance = (await server.Client.Compute.Instances.RunAsync(new RunInstancesRequest
        {
            Image = "caps", InstanceType = "n1.micro", UserData = "#!/bin/sh\necho \"capable binary says $(/bin/uname -s)\"\n",
        }))[0];
        await server.Client.Compute.Instances.WaitForPhaseAsync(instance.Id, InstancesClient.RunningPhase, Wait);
        await Poll.UntilAsync(
            async () => (await server.Client.Compute.Instances.GetConsoleOutputAsync(instance.Id)).Output,
            o => o.Contains("capable binary says Linux", StringComparison.Ordinal),
            what: "the binary with file capabilities runs in the instance");
    }

    [Fact]
    public async Task Unsupported_xattr_namespaces_are_skipped_with_a_warning_not_a_failure()
    {
        Prerequisites.RequireBusybox();
        using var work = new Nimbus.Testing.TempDirectory("nimbus-xattr-ns");
        var file = new PaxTarEntry(
            TarEntryType.RegularFile,
            "./etc/app.conf",
            new Dictionary<string, string> { ["SCHILY.xattr.user.note"] = "kept", ["SCHILY.xattr.system.nfs4_acl"] = "not for an image" })
        {
            DataStream = new MemoryStream("x=1\n"u8.ToArray()),
            Mode = (UnixFileMode)0x1A4,
        };
        var tar = Path.Combine(work.Path, "rootfs.tar");
        await ImageFiles.WriteTarAsync(tar, ImageFiles.Dir("./"), ImageFiles.Dir("./etc/"), file);

        await using var server = await ComputeServer.StartAsync();
        var images = server.Client.Compute.Images;
        var image = await images.WaitUntilAvailableAsync((await images.ImportAsync("ns", tar)).Id, Wait);
        var details = image.Status.Details!.Value.Deserialize<ImageDetailsDto>(NimbusJson.Options)!;
        details.Warnings.ShouldBe(["extended attribute 'system.nfs4_acl' of 'etc/app.conf' skipped: only the user, security and trusted namespaces are set"]);
        var imported = Path.Combine(server.DataDirectory, "compute", "images", image.Id, "rootfs", "etc/app.conf");
        Encoding.UTF8.GetString(FileCalls.GetExtendedAttribute(imported, "user.note")!).ShouldBe("kept");
        FileCalls.GetExtendedAttribute(imported, "system.nfs4_acl").ShouldBeNull();
    }
}
