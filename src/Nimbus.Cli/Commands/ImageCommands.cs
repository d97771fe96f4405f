using System.CommandLine;
using System.Formats.Tar;
using Nimbus.Cli.Views;
using Nimbus.Contracts.Compute;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk;
using Nimbus.Sdk.Compute;

namespace Nimbus.Cli.Commands;

/// <summary><c>nimbus compute image list|get|import|build|create-from-instance|share|unshare|deprecate|undeprecate|delete</c>.</summary>
internal static class ImageCommands
{
    public static Command Create(CliContext context) =>
        new("image", "Images instances start from: built in, imported, built with debootstrap, or made from instances")
        {
            List(context),
            Get(context),
            Import(context),
            Build(context),
            FromInstance(context),
            Share(context, share: true),
            Share(context, share: false),
            Deprecate(context),
            Undeprecate(context),
            Delete(context),
        };

    private static Command List(CliContext context)
    {
        var command = new Command("list", "List your images, the public ones and those shared with you");
        context.SetApiAction(command, async (_, client, output, cancellationToken) =>
            output.Write(await client.Compute.Images.ListAsync(cancellationToken).ConfigureAwait(false), ComputeViews.Images));
        return command;
    }

    private static Command Get(CliContext context)
    {
        var id = ImageArgument();
        var command = new Command("get", "Show one image") { id };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
            output.Write(await client.Compute.Images.GetAsync(parseResult.GetValue(id)!, cancellationToken).ConfigureAwait(false), ComputeViews.Image));
        return command;
    }

    private static Command Import(CliContext context)
    {
        var name = new Option<string>("--name") { Description = "Image name, unique among your images", HelpName = "name", Required = true };
        var file = new Option<FileInfo?>("--file") { Description = "A rootfs tarball (.tar, .tar.gz) or an OCI image archive (skopeo copy ... oci-archive:FILE)", HelpName = "path" };
        var layout = new Option<DirectoryInfo?>("--oci-layout") { Description = "An OCI image layout directory (oci-layout, index.json, blobs/), e.g. made by umoci or skopeo copy ... oci:DIR", HelpName = "dir" };
        var s3 = new Option<string?>("--s3") { Description = "An archive already in Nimbus object storage, read in place (needs s3:GetObject on it)", HelpName = "s3://bucket/key" };
        var uploadTimeout = CommonOptions.Positive(new Option<int>("--upload-timeout")
        {
            Description = "With --file or --oci-layout: seconds the upload may make no progress before it fails (no limit on the whole upload)",
            HelpName = "seconds",
            DefaultValueFactory = _ => (int)NimbusClientOptions.DefaultUploadIdleTimeout.TotalSeconds,
        });
        var versionId = new Option<string?>("--version-id") { Description = "With --s3: a version of the object (default: its current one)", HelpName = "id" };
        var description = new Option<string?>("--description") { Description = "What the image is", HelpName = "text" };
        var wait = CommonOptions.Wait("the image is available (exit code 1 if it fails)");
        var timeout = CommonOptions.Timeout();
        var command = new Command("import", "Import an image from a rootfs tarball, an OCI image archive or an OCI layout: a local file or directory, or an object in object storage")
        {
            name, file, layout, s3, versionId, uploadTimeout, description, wait, timeout,
        };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var archive = parseResult.GetValue(file);
            var directory = parseResult.GetValue(layout);
            var source = parseResult.GetValue(s3);
            if ((archive is null ? 0 : 1) + (directory is null ? 0 : 1) + (source is null ? 0 : 1) != 1)
            {
                throw new CliUsageException("Give --file, --oci-layout or --s3 (one of them).");
            }

            if (parseResult.GetValue(versionId) is not null && source is null)
            {
                throw new CliUsageException("--version-id goes with --s3.");
            }

            if (source is not null)
            {
                var (bucket, key) = ParseS3Url(source);
                var request = new ImportImageFromObjectRequest
                {
                    Name = parseResult.GetValue(name), Description = parseResult.GetValue(description), Bucket = bucket, Key = key, VersionId = parseResult.GetValue(versionId),
                };
                var imported = await client.Compute.Images.ImportFromObjectAsync(request, cancellationToken).ConfigureAwait(false);
                output.Write(await WaitAsync(context, client, imported, parseResult.GetValue(wait), parseResult.GetValue(timeout), cancellationToken).ConfigureAwait(false), ComputeViews.Image);
                return;
            }

            string? temporary = null;
            try
            {
                string path;
                if (directory is not null)
                {
                    if (!File.Exists(Path.Combine(directory.FullName, "index.json")) || !File.Exists(Path.Combine(directory.FullName, "oci-layout")))
                    {
                        throw new CliUsageException($"--oci-layout {directory.FullName} is not an OCI image layout (it needs oci-layout and index.json).");
                    }

                    // An OCI image archive is the layout as a tar: send it as one.
                    temporary = Path.Combine(Path.GetTempPath(), $"nimbus-oci-{Guid.NewGuid():N}.tar");
                    await TarFile.CreateFromDirectoryAsync(directory.FullName, temporary, includeBaseDirectory: false, cancellationToken).ConfigureAwait(false);
                    path = temporary;
                }
                else if (!archive!.Exists)
                {
                    throw new CliUsageException($"--file {archive.FullName} does not exist.");
                }
                else
                {
                    path = archive.FullName;
                }

                var idle = TimeSpan.FromSeconds(parseResult.GetValue(uploadTimeout));
                var image = await client.Compute.Images.ImportAsync(parseResult.GetValue(name)!, path, parseResult.GetValue(description), idle, cancellationToken).ConfigureAwait(false);
                output.Write(await WaitAsync(context, client, image, parseResult.GetValue(wait), parseResult.GetValue(timeout), cancellationToken).ConfigureAwait(false), ComputeViews.Image);
            }
            finally
            {
                if (temporary is not null)
                {
                    File.Delete(temporary);
                }
            }
        });
        return command;
    }

    /// <summary><c>s3://bucket/key</c> → bucket and key (the key as written: S3 URLs are not percent-encoded).</summary>
    internal static (string Bucket, string Key) ParseS3Url(string url)
    {
        const string scheme = "s3://";
        var rest = url.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? url[scheme.Length..] : null;
        var slash = rest?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (rest is null || slash <= 0 || slash == rest.Length - 1)
        {
            throw new CliUsageException($"--s3 {url} is not an object URL; write s3://bucket/key.");
        }

        return (rest[..slash], rest[(slash + 1)..]);
    }

    private static Command Build(CliContext context)
    {
        var recipe = new Argument<string>("recipe") { Description = "What to build: debian-12 (Debian bookworm, minbase, by debootstrap on the node; minutes)" };
        var name = new Option<string?>("--name") { Description = "Image name (default: the recipe)", HelpName = "name" };
        var description = new Option<string?>("--description") { Description = "What the image is", HelpName = "text" };
        var wait = CommonOptions.Wait("the image is available, printing its progress (exit code 1 if it fails)");
        var timeout = CommonOptions.Timeout();
        var command = new Command("build", "Build an image on the node from a recipe") { recipe, name, description, wait, timeout };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var request = new BuildImageRequest { Recipe = parseResult.GetValue(recipe), Name = parseResult.GetValue(name), Description = parseResult.GetValue(description) };
            var image = await client.Compute.Images.BuildAsync(request, cancellationToken).ConfigureAwait(false);
            output.Write(await WaitAsync(context, client, image, parseResult.GetValue(wait), parseResult.GetValue(timeout), cancellationToken).ConfigureAwait(false), ComputeViews.Image);
        });
        return command;
    }

    private static Command FromInstance(CliContext context)
    {
        var instance = new Argument<string>("instance") { Description = "A stopped instance, e.g. i-7f3k2m9q0c1d" };
        var name = new Option<string>("--name") { Description = "Image name, unique among your images", HelpName = "name", Required = true };
        var description = new Option<string?>("--description") { Description = "What the image is", HelpName = "text" };
        var wait = CommonOptions.Wait("the image is available (exit code 1 if it fails)");
        var timeout = CommonOptions.Timeout();
        var command = new Command("create-from-instance", "Make an image of a stopped instance: its disk on its image") { instance, name, description, wait, timeout };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var request = new CreateImageFromInstanceRequest { InstanceId = parseResult.GetValue(instance), Name = parseResult.GetValue(name), Description = parseResult.GetValue(description) };
            var image = await client.Compute.Images.CreateFromInstanceAsync(request, cancellationToken).ConfigureAwait(false);
            output.Write(await WaitAsync(context, client, image, parseResult.GetValue(wait), parseResult.GetValue(timeout), cancellationToken).ConfigureAwait(false), ComputeViews.Image);
        });
        return command;
    }

    private static Command Share(CliContext context, bool share)
    {
        var id = ImageArgument();
        var accounts = new Option<string[]>("--account") { Description = "Account id (12 digits); repeat for several", HelpName = "id", Required = true };
        var command = share
            ? new Command("share", "Share an image with other accounts: they may list and run it, not change or delete it") { id, accounts }
            : new Command("unshare", "Stop sharing an image with accounts (their running instances keep running)") { id, accounts };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var images = client.Compute.Images;
            var list = parseResult.GetValue(accounts) ?? [];
            var image = share
                ? await images.ShareAsync(parseResult.GetValue(id)!, list, cancellationToken).ConfigureAwait(false)
                : await images.UnshareAsync(parseResult.GetValue(id)!, list, cancellationToken).ConfigureAwait(false);
            output.Write(image, ComputeViews.Image);
        });
        return command;
    }

    private static Command Deprecate(CliContext context)
    {
        var id = ImageArgument();
        var replacement = new Option<string?>("--replacement") { Description = "Image to suggest instead, shown to whoever runs this one", HelpName = "image" };
        var command = new Command("deprecate", "Deprecate an image: it still runs, new runs warn") { id, replacement };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
            output.Write(await client.Compute.Images.DeprecateAsync(parseResult.GetValue(id)!, parseResult.GetValue(replacement), cancellationToken).ConfigureAwait(false), ComputeViews.Image));
        return command;
    }

    private static Command Undeprecate(CliContext context)
    {
        var id = ImageArgument();
        var command = new Command("undeprecate", "Take back the deprecation of an image") { id };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
            output.Write(await client.Compute.Images.UndeprecateAsync(parseResult.GetValue(id)!, cancellationToken).ConfigureAwait(false), ComputeViews.Image));
        return command;
    }

    private static Command Delete(CliContext context)
    {
        var id = ImageArgument();
        var command = new Command("delete", "Delete an image (refused while instances that are not terminated use it)") { id };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
            output.Write(await client.Compute.Images.DeleteAsync(parseResult.GetValue(id)!, cancellationToken).ConfigureAwait(false), ComputeViews.Image));
        return command;
    }

    private static Argument<string> ImageArgument() => new("image") { Description = "Image id (img-...) or name" };

    private static async Task<ResourceDto> WaitAsync(CliContext context, NimbusClient client, ResourceDto image, bool wait, int timeoutSeconds, CancellationToken cancellationToken)
    {
        if (!wait)
        {
            return image;
        }

        // Progress (debootstrap's steps, layers applied) shows as the status message changes.
        context.Stderr.WriteLine($"waiting for {image.Id} to be {ImagesClient.AvailablePhase}...");
        var deadline = DateTimeOffset.UtcNow.AddSeconds(timeoutSeconds);
        string? lastMessage = null;
        while (true)
        {
            var current = await client.Compute.Images.GetAsync(image.Id, cancellationToken).ConfigureAwait(false);
            if (current.Status.Message is { } message && message != lastMessage && current.Status.Phase == "pending")
            {
                context.Stderr.WriteLine("  " + message);
                lastMessage = message;
            }

            if (current.Status.Phase == ImagesClient.AvailablePhase)
            {
                return current;
            }

            if (current.Status.Phase == "failed")
            {
                throw new NimbusWaitException(NimbusWaitException.ResourceFailedCode, $"{image.Id} is failed instead of {ImagesClient.AvailablePhase}: {current.Status.Message}", current);
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new NimbusWaitException(NimbusWaitException.WaitTimeoutCode, $"{image.Id} is still {current.Status.Phase} after {timeoutSeconds} s", current);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
        }
    }
}
