using System.Formats.Tar;
using System.Text.Json;
using Nimbus.Contracts.Compute;
using Nimbus.Contracts.Iam;
using Nimbus.Contracts.Signing;
using Nimbus.Contracts.Storage;
using Nimbus.Core.Api;
using Nimbus.Sdk;
using Nimbus.Sdk.Compute;
using Nimbus.Sdk.S3;
using Shouldly;
using Xunit;

namespace Nimbus.Compute.Tests;

/// <summary>Images imported from an object in Nimbus object storage (<c>--s3 s3://bucket/key</c>), read in place as the caller.</summary>
public sealed class ImageObjectImportTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Rootfs_tar_uploaded_to_a_bucket_imports_with_the_cli_s3_option_and_runs()
    {
        Prerequisites.RequireRuncHost();
        using var work = new Nimbus.Testing.TempDirectory("nimbus-s3img");
        var rootfs = Path.Combine(work.Path, "rootfs");
        ImageFiles.WriteBusyboxRootfs(rootfs);
        var tar = Path.Combine(work.Path, "rootfs.tar");
        await TarFile.CreateFromDirectoryAsync(rootfs, tar, includeBaseDirectory: false);

        await using var server = await ComputeServer.StartAsync();
        await server.Client.Storage.Buckets.CreateAsync(new CreateBucketRequest { Name = "images" });
        using (var s3 = new S3Client(new S3ClientOptions { Endpoint = server.Server.S3Endpoint, Credentials = server.Server.AdminCredentials }))
        {
            await s3.UploadFileAsync("images", "linux/rootfs.tar", tar);
        }

        using var home = new Nimbus.Testing.TempDirectory("nimbus-s3img-home");
        var (code, _, stderr) = await server.RunCliAsync(home.Path, "compute", "image", "import", "--name", "from-s3", "--s3", "s3://images/linux/rootfs.tar", "--wait", "-o", "json");
        code.ShouldBe(0, stderr);
        var image = await server.Client.Compute.Images.GetAsync("from-s3");
        var spec = image.Spec.Deserialize<ImageSpec>(NimbusJson.Options)!;
        image.Status.Phase.ShouldBe("available");
        spec.Source.ShouldBe("import");
        spec.SourceObject.ShouldNotBeNull();
        spec.SourceObject.Bucket.ShouldBe("images");
        spec.SourceObject.Key.ShouldBe("linux/rootfs.tar");
        spec.SourceObject.VersionId.ShouldBe("null");
        image.Status.Details!.Value.Deserialize<ImageDetailsDto>(NimbusJson.Options)!.Format.ShouldBe("rootfs-tar");

        var instance = (await server.Client.Compute.Instances.RunAsync(new RunInstancesRequest
        {
            Image = "from-s3", InstanceType = "n1.micro", UserData = "#!/bin/sh\necho \"motd says $(cat /etc/motd)\"\n",
        }))[0];
        await server.Client.Compute.Instances.WaitForPhaseAsync(instance.Id, InstancesClient.RunningPhase, Wait);
        await Poll.UntilAsync(
            async () => (await server.Client.Compute.Instances.GetConsoleOutputAsync(instance.Id)).Output,
            o => o.Contains("motd says welcome", StringComparison.Ordinal),
            what: "the instance of the image read from the bucket runs its user data");

        // The CLI checks the URL before calling the server.
        (code, _, stderr) = await server.RunCliAsync(home.Path, "compute", "image", "import", "--name", "x", "--s3", "images/linux/rootfs.tar");
        code.ShouldNotBe(0);
        stderr.ShouldContain("s3://bucket/key");
    }

    [Fact]
    public async Task Import_from_a_bucket_needs_s3_GetObject_on_the_object_and_names_what_is_missing()
    {
        Prerequisites.RequireBusybox();
        using var work = new Nimbus.Testing.TempDirectory("nimbus-s3deny");
        var tar = Path.Combine(work.Path, "rootfs.tar");
        await ImageFiles.WriteTarAsync(tar, ImageFiles.Dir("./"), ImageFiles.File_("./etc/hostname", "box\n"));

        await using var server = await ComputeServer.StartAsync();
        await server.Client.Storage.Buckets.CreateAsync(new CreateBucketRequest { Name = "vault" });
        using (var s3 = new S3Client(new S3ClientOptions { Endpoint = server.Server.S3Endpoint, Credentials = server.Server.AdminCredentials }))
        {
            await s3.UploadFileAsync("vault", "private/rootfs.tar", tar);
            await s3.UploadFileAsync("vault", "shared/rootfs.tar", tar);
        }

        // A user allowed to import images, and to read only vault/shared/*.
        var user = await server.Client.Iam.Users.CreateAsync(new CreateUserRequest { Name = "builder" });
        await server.Client.Iam.Users.PutPolicyAsync(user.Id, "import", """
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":["compute:ImportImage","compute:GetImage","compute:ListImages"],"Resource":"*"},
              {"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::vault/shared/*"}]}
            """);
        var key = await server.Client.Iam.AccessKeys.CreateAsync("builder");
        using var builder = new NimbusClient(server.Client.Options with { Credentials = new SigV4Credentials(key.AccessKey.AccessKeyId, key.SecretAccessKey) });
        var images = builder.Compute.Images;

        var denied = await Should.ThrowAsync<NimbusApiException>(() => images.ImportFromObjectAsync(new ImportImageFromObjectRequest { Name = "secret", Bucket = "vault", Key = "private/rootfs.tar" }));
        ((int)denied.StatusCode).ShouldBe(403);
        denied.Code.ShouldBe("AccessDenied");
        denied.Message.ShouldContain("s3:GetObject");
        denied.Message.ShouldContain("vault/private/rootfs.tar");

        var missing = await Should.ThrowAsync<NimbusApiException>(() => images.ImportFromObjectAsync(new ImportImageFromObjectRequest { Name = "gone", Bucket = "vault", Key = "shared/nothing.tar" }));
        ((int)missing.StatusCode).ShouldBe(404);
        missing.Code.ShouldBe("NoSuchKey");
        var noBucket = await Should.ThrowAsync<NimbusApiException>(() => images.ImportFromObjectAsync(new ImportImageFromObjectRequest { Name = "gone", Bucket = "no-such-bucket-here", Key = "x.tar" }));
        noBucket.Code.ShouldBe("NoSuchBucket");
        var invalid = await Should.ThrowAsync<NimbusApiException>(() => images.ImportFromObjectAsync(new ImportImageFromObjectRequest { Name = "gone" }));
        invalid.Code.ShouldBe("InvalidParameter");
        invalid.Errors.Select(e => e.Field).ShouldBe(["bucket", "key"]);
        (await images.ListAsync()).Select(i => i.Name).ShouldBe(["busybox"]);
        UploadsOf(server.DataDirectory).ShouldBeEmpty();

        // The object it may read imports.
        var pending = await images.ImportFromObjectAsync(new ImportImageFromObjectRequest { Name = "shared", Bucket = "vault", Key = "shared/rootfs.tar", Description = "from the vault" });
        var image = await images.WaitUntilAvailableAsync(pending.Id, Wait);
        File.ReadAllText(Path.Combine(server.DataDirectory, "compute", "images", image.Id, "rootfs", "etc/hostname")).ShouldBe("box\n");

        // Without compute:ImportImage, s3:GetObject alone is not enough.
        await server.Client.Iam.Users.PutPolicyAsync(user.Id, "import", """
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::vault/*"}]}
            """);
        var noImport = await Should.ThrowAsync<NimbusApiException>(() => images.ImportFromObjectAsync(new ImportImageFromObjectRequest { Name = "again", Bucket = "vault", Key = "shared/rootfs.tar" }));
        noImport.Code.ShouldBe("AccessDenied");
        noImport.Message.ShouldContain("compute:ImportImage");
    }

    [Fact]
    public async Task Import_from_a_bucket_answers_pending_at_once_and_a_damaged_archive_fails_with_the_reason_and_leaves_nothing()
    {
        Prerequisites.RequireBusybox();
        using var work = new Nimbus.Testing.TempDirectory("nimbus-s3bad");
        var junk = Path.Combine(work.Path, "junk.tar");
        await File.WriteAllBytesAsync(junk, System.Security.Cryptography.RandomNumberGenerator.GetBytes(3 * 1024 * 1024));

        await using var server = await ComputeServer.StartAsync();
        await server.Client.Storage.Buckets.CreateAsync(new CreateBucketRequest { Name = "junk" });
        using (var s3 = new S3Client(new S3ClientOptions { Endpoint = server.Server.S3Endpoint, Credentials = server.Server.AdminCredentials }))
        {
            await s3.UploadFileAsync("junk", "junk.tar", junk);
        }

        // The call answers before anything is copied: pending, with the object's version, ETag and size recorded.
        var pending = await server.Client.Compute.Images.ImportFromObjectAsync(new ImportImageFromObjectRequest { Name = "junk", Bucket = "junk", Key = "junk.tar" });
        pending.Status.Phase.ShouldBe("pending");
        var source = pending.Spec.Deserialize<ImageSpec>(NimbusJson.Options)!.SourceObject!;
        source.SizeBytes.ShouldBe(3 * 1024 * 1024);
        source.VersionId.ShouldBe("null");
        source.ETag.ShouldStartWith("\"");

        var failed = await Poll.UntilAsync(
            () => server.Client.Compute.Images.GetAsync(pending.Id),
            i => i.Status.Phase != "pending",
            what: "the import of a damaged archive ends");
        failed.Status.Phase.ShouldBe("failed");
        failed.Status.Message.ShouldNotBeNullOrEmpty();
        UploadsOf(server.DataDirectory).ShouldBeEmpty();
        Directory.Exists(Path.Combine(server.DataDirectory, "compute", "images", pending.Id)).ShouldBeFalse();

        // The CLI's --wait follows an import to its end and exits 1 when it fails, with the reason.
        using var home = new Nimbus.Testing.TempDirectory("nimbus-s3bad-home");
        var (code, _, stderr) = await server.RunCliAsync(home.Path, "compute", "image", "import", "--name", "junk-cli", "--s3", "s3://junk/junk.tar", "--wait");
        code.ShouldBe(1, stderr);
        stderr.ShouldContain("failed");
        (await server.Client.Compute.Images.GetAsync("junk-cli")).Status.Phase.ShouldBe("failed");
        UploadsOf(server.DataDirectory).ShouldBeEmpty();
    }

    [Fact]
    public async Task Import_from_a_bucket_interrupted_by_a_platform_restart_is_run_again_and_ends_available()
    {
        Prerequisites.RequireBusybox();
        using var work = new Nimbus.Testing.TempDirectory("nimbus-s3restart");
        var rootfs = Path.Combine(work.Path, "rootfs");
        ImageFiles.WriteBusyboxRootfs(rootfs);
        // A large file makes the copy and the unpack last long enough for the stop to land during them.
        var payload = System.Security.Cryptography.RandomNumberGenerator.GetBytes(64 * 1024 * 1024);
        await File.WriteAllBytesAsync(Path.Combine(rootfs, "payload.bin"), payload);
        var tar = Path.Combine(work.Path, "rootfs.tar");
        await TarFile.CreateFromDirectoryAsync(rootfs, tar, includeBaseDirectory: false);
        Directory.Delete(rootfs, recursive: true);

        using var data = new Nimbus.Testing.TempDirectory("nimbus-s3restart-data");
        string id;
        await using (var first = await ComputeServer.StartAsync(dataDirectory: data.Path))
        {
            await first.Client.Storage.Buckets.CreateAsync(new CreateBucketRequest { Name = "big" });
            using (var s3 = new S3Client(new S3ClientOptions { Endpoint = first.Server.S3Endpoint, Credentials = first.Server.AdminCredentials }))
            {
                await s3.UploadFileAsync("big", "rootfs.tar", tar);
            }

            var pending = await first.Client.Compute.Images.ImportFromObjectAsync(new ImportImageFromObjectRequest { Name = "big", Bucket = "big", Key = "rootfs.tar" });
            pending.Status.Phase.ShouldBe("pending");
            id = pending.Id;
            await first.StopServerAsync();
        }

        // The stop landed during the import (its image is not made yet), so what follows is the run after the restart.
        Directory.Exists(Path.Combine(data.Path, "compute", "images", id, "rootfs"))
            .ShouldBeFalse("the import ended before the stop: the test needs a larger object on this machine to stop during it");

        await using var second = await ComputeServer.StartAsync(dataDirectory: data.Path);
        var image = await second.Client.Compute.Images.WaitUntilAvailableAsync(id, Wait);
        image.Status.Phase.ShouldBe("available");
        var imported = await File.ReadAllBytesAsync(Path.Combine(data.Path, "compute", "images", id, "rootfs", "payload.bin"));
        imported.AsSpan().SequenceEqual(payload).ShouldBeTrue();
        UploadsOf(data.Path).ShouldBeEmpty();
    }

    /// <summary>What the uploads directory holds (archives and partial copies); nothing when it was never made.</summary>
    private static string[] UploadsOf(string dataDirectory)
    {
        var uploads = Path.Combine(dataDirectory, "compute", "uploads");
        return Directory.Exists(uploads) ? Directory.GetFiles(uploads) : [];
    }
}
