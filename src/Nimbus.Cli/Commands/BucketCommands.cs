using System.CommandLine;
using Nimbus.Cli.Views;
using Nimbus.Contracts.Storage;
using Nimbus.Sdk.S3;

namespace Nimbus.Cli.Commands;

/// <summary><c>nimbus storage bucket create|list|get|delete|policy|versioning|lifecycle</c>.</summary>
internal static class BucketCommands
{
    public static Command Create(StorageContext storage) =>
        new("bucket", "Buckets of your account")
        {
            CreateBucket(storage.Cli),
            List(storage.Cli),
            Get(storage.Cli),
            Delete(storage),
            BucketPolicyCommands.Create(storage),
            Versioning(storage),
            BucketLifecycleCommands.Create(storage),
        };

    public static Argument<string> Name() => new("name") { Description = "Bucket name" };

    private static Command CreateBucket(CliContext context)
    {
        var name = Name();
        var tags = CommonOptions.Tags("Tag as key=value; repeatable");
        var command = new Command("create", "Create a bucket (3-63 lower-case letters, digits, dots and hyphens; unique across the platform)") { name, tags };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var bucket = await client.Storage.Buckets.CreateAsync(
                new CreateBucketRequest { Name = parseResult.GetValue(name)!, Tags = CommonOptions.ParseTags(parseResult.GetValue(tags)) },
                cancellationToken).ConfigureAwait(false);
            output.Write(bucket, BucketView.One);
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var command = new Command("list", "List your buckets with their usage");
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
            output.Write(await client.Storage.Buckets.ListAsync(cancellationToken).ConfigureAwait(false), BucketView.Page));
        return command;
    }

    private static Command Get(CliContext context)
    {
        var name = Name();
        var command = new Command("get", "Show one bucket with its usage") { name };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
            output.Write(await client.Storage.Buckets.GetAsync(parseResult.GetValue(name)!, cancellationToken).ConfigureAwait(false), BucketView.One));
        return command;
    }

    private static Command Delete(StorageContext storage)
    {
        var name = Name();
        var force = new Option<bool>("--force") { Description = "Empty the bucket first: every object, every version and delete marker, and every multipart upload in progress" };
        var command = new Command("delete", "Delete a bucket (it must be empty, unless --force)") { name, force };
        storage.Cli.SetAction(command, async (parseResult, cancellationToken) =>
        {
            var settings = storage.Resolve(parseResult);
            var output = storage.Cli.CreateOutput(settings);
            var bucket = parseResult.GetValue(name)!;
            if (parseResult.GetValue(force))
            {
                using var s3 = storage.Cli.CreateS3Client(settings);
                var (versions, markers, uploads) = await BucketPurge.PurgeAsync(s3, bucket, cancellationToken).ConfigureAwait(false);
                if (uploads > 0)
                {
                    output.Message($"aborted {uploads} multipart uploads in bucket {bucket}");
                }

                output.Message(markers > 0 || versions > 0 && await IsVersionedAsync(s3, bucket, cancellationToken).ConfigureAwait(false)
                    ? $"deleted {versions - markers} object versions and {markers} delete markers from bucket {bucket}"
                    : $"deleted {versions} objects from bucket {bucket}");
            }

            using var client = storage.Cli.CreateClient(settings);
            await client.Storage.Buckets.DeleteAsync(bucket, cancellationToken).ConfigureAwait(false);
            output.Message($"deleted bucket {bucket}");
        });
        return command;
    }

    private static async Task<bool> IsVersionedAsync(Sdk.S3.S3Client s3, string bucket, CancellationToken cancellationToken) =>
        await s3.GetBucketVersioningAsync(bucket, cancellationToken).ConfigureAwait(false) is not null;

    private static Command Versioning(StorageContext storage)
    {
        var getName = Name();
        var get = new Command("get", "Show whether versioning is Enabled, Suspended or Disabled (never enabled)") { getName };
        storage.SetS3Action(get, async (parseResult, s3, output, cancellationToken) =>
        {
            var bucket = parseResult.GetValue(getName)!;
            var status = await s3.GetBucketVersioningAsync(bucket, cancellationToken).ConfigureAwait(false);
            output.Write(new VersioningState(bucket, status ?? "Disabled"), BucketView.Versioning);
        });

        return new Command("versioning", "Object versioning of a bucket")
        {
            get,
            SetVersioning(storage, "enable", "Keep every version of every object from now on", enabled: true),
            SetVersioning(storage, "suspend", "Stop keeping new versions (existing versions stay)", enabled: false),
        };
    }

    private static Command SetVersioning(StorageContext storage, string verb, string description, bool enabled)
    {
        var name = Name();
        var command = new Command(verb, description) { name };
        storage.SetS3Action(command, async (parseResult, s3, output, cancellationToken) =>
        {
            var bucket = parseResult.GetValue(name)!;
            await s3.PutBucketVersioningAsync(bucket, enabled, cancellationToken).ConfigureAwait(false);
            output.Write(new VersioningState(bucket, enabled ? "Enabled" : "Suspended"), BucketView.Versioning);
        });
        return command;
    }
}
