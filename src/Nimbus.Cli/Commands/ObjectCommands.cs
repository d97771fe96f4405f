using System.CommandLine;
using System.Globalization;
using Nimbus.Cli.Views;
using Nimbus.Sdk.S3;

namespace Nimbus.Cli.Commands;

/// <summary><c>nimbus storage ls|rm|presign</c> (and <c>cp</c>, in <see cref="CopyCommand"/>) with awscli's <c>s3://bucket/key</c> syntax.</summary>
internal static class ObjectCommands
{
    public static Command Copy(StorageContext storage) => CopyCommand.Create(storage);

    public static Command List(StorageContext storage)
    {
        var location = new Argument<string?>("location") { Description = "s3://bucket[/prefix]; without it, your buckets", Arity = ArgumentArity.ZeroOrOne };
        var recursive = new Option<bool>("--recursive", "-r") { Description = "Every key under the prefix, not one level" };
        var command = new Command("ls", "List buckets, or the objects and prefixes under s3://bucket/prefix") { location, recursive };
        storage.Cli.SetAction(command, async (parseResult, cancellationToken) =>
        {
            var settings = storage.Resolve(parseResult);
            var output = storage.Cli.CreateOutput(settings);
            if (parseResult.GetValue(location) is not { } text)
            {
                using var client = storage.Cli.CreateClient(settings);
                output.Write(await client.Storage.Buckets.ListAsync(cancellationToken).ConfigureAwait(false), BucketView.Page);
                return;
            }

            var where = ParseLocation(text);
            using var s3 = storage.Cli.CreateS3Client(settings);
            using var listing = new ObjectListingWriter(output, storage.Cli.Stdout, where.Bucket);
            var request = new S3ListRequest { Prefix = where.Key.Length == 0 ? null : where.Key, Delimiter = parseResult.GetValue(recursive) ? null : "/" };
            do
            {
                var page = await s3.ListObjectsAsync(where.Bucket, request, cancellationToken).ConfigureAwait(false);
                listing.WritePage(page);
                request = request with { ContinuationToken = page.NextContinuationToken };
            }
            while (request.ContinuationToken is not null);
            listing.Complete();
        });
        return command;
    }

    public static Command Remove(StorageContext storage)
    {
        var location = new Argument<string>("location") { Description = "s3://bucket/key, or s3://bucket/prefix with --recursive" };
        var recursive = new Option<bool>("--recursive", "-r") { Description = "Delete every key under the prefix (the whole bucket for s3://bucket)" };
        var command = new Command("rm", "Delete an object, or every object under a prefix") { location, recursive };
        storage.SetS3Action(command, async (parseResult, s3, output, cancellationToken) =>
        {
            var where = ParseLocation(parseResult.GetValue(location)!);
            if (parseResult.GetValue(recursive))
            {
                var count = await DeleteAllAsync(s3, where.Bucket, where.Key.Length == 0 ? null : where.Key, key => output.Message($"delete: s3://{where.Bucket}/{key}"), cancellationToken).ConfigureAwait(false);
                if (count == 0)
                {
                    output.Message($"nothing under {where}");
                }

                return;
            }

            if (where.Key.Length == 0)
            {
                throw new CliUsageException($"{where} names no object: give s3://bucket/key, or --recursive to empty the bucket");
            }

            await s3.DeleteObjectAsync(where.Bucket, where.Key, cancellationToken).ConfigureAwait(false);
            output.Message($"delete: {where}");
        });
        return command;
    }

    public static Command Presign(StorageContext storage)
    {
        var location = new Argument<string>("location") { Description = "s3://bucket/key" };
        var expires = new Option<int>("--expires") { Description = "Seconds the URL stays valid (1 to 604800, 7 days)", HelpName = "seconds", DefaultValueFactory = _ => 3600 };
        expires.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (!int.TryParse(token.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds is < 1 or > 604800)
                {
                    result.AddError($"--expires must be a whole number of seconds from 1 to 604800 (7 days), not '{token.Value}'.");
                }
            }
        });
        var method = new Option<string>("--method") { Description = "What the URL allows: GET (download) or PUT (upload)", DefaultValueFactory = _ => "GET" };
        method.AcceptOnlyFromAmong("GET", "PUT", "get", "put");
        var command = new Command("presign", "Print a URL that lets anyone holding it GET (or PUT) one object until it expires") { location, expires, method };
        storage.SetS3Action(command, (parseResult, s3, output, cancellationToken) =>
        {
            var where = ParseLocation(parseResult.GetValue(location)!);
            if (where.Key.Length == 0)
            {
                throw new CliUsageException($"{where} names no object: give s3://bucket/key");
            }

            var verb = parseResult.GetValue(method)!.Equals("PUT", StringComparison.OrdinalIgnoreCase) ? HttpMethod.Put : HttpMethod.Get;
            storage.Cli.Stdout.WriteLine(s3.Presign(verb, where.Bucket, where.Key, TimeSpan.FromSeconds(parseResult.GetValue(expires))));
            return Task.CompletedTask;
        });
        return command;
    }

    /// <summary>Deletes every object under a prefix, 1000 keys per request; returns how many were deleted.</summary>
    public static async Task<long> DeleteAllAsync(S3Client s3, string bucket, string? prefix, Action<string> deleted, CancellationToken cancellationToken)
    {
        long count = 0;
        var failures = new List<S3DeleteError>();
        while (true)
        {
            // Each round lists from the start again: what was just deleted is gone, so no continuation token can go stale.
            var page = await s3.ListObjectsAsync(bucket, new S3ListRequest { Prefix = prefix }, cancellationToken).ConfigureAwait(false);
            var keys = page.Objects.Select(o => o.Key).Where(k => !failures.Any(f => f.Key == k)).ToList();
            if (keys.Count == 0)
            {
                break;
            }

            var result = await s3.DeleteObjectsAsync(bucket, keys, cancellationToken).ConfigureAwait(false);
            foreach (var key in result.Deleted)
            {
                deleted(key);
            }

            count += result.Deleted.Count;
            failures.AddRange(result.Errors);
            if (result.Errors.Count > 0 && result.Deleted.Count == 0)
            {
                break;
            }
        }

        if (failures.Count > 0)
        {
            var first = failures[0];
            throw new Sdk.NimbusApiException(
                System.Net.HttpStatusCode.Forbidden,
                new Contracts.Errors.ProblemDto { Code = first.Code, Detail = $"{failures.Count} objects could not be deleted; the first, '{first.Key}': {first.Message}" });
        }

        return count;
    }

    public static S3Location ParseLocation(string text)
    {
        try
        {
            return S3Location.Parse(text);
        }
        catch (FormatException ex)
        {
            throw new CliUsageException(ex.Message);
        }
    }
}
