using System.CommandLine;
using Nimbus.Cli.Output;
using Nimbus.Sdk.S3;

namespace Nimbus.Cli.Commands;

/// <summary>
/// <c>nimbus storage cp SRC DST [--recursive]</c>: local file or directory to a bucket, bucket to local, or bucket to
/// bucket (server-side copy). Large files go up in parts; a progress bar shows on stderr when it is a terminal.
/// </summary>
internal static class CopyCommand
{
    public static Command Create(StorageContext storage)
    {
        var source = new Argument<string>("source") { Description = "A local path or s3://bucket/key" };
        var destination = new Argument<string>("destination") { Description = "A local path or s3://bucket/key (a trailing / means 'into this folder')" };
        var recursive = new Option<bool>("--recursive", "-r") { Description = "Copy a whole directory, or every key under an s3:// prefix" };
        var contentType = new Option<string?>("--content-type") { Description = "Content-Type of uploaded objects (default none: binary/octet-stream)", HelpName = "type" };
        var payload = new Option<string>("--payload")
        {
            Description = "How uploads are authenticated: signed (SHA-256 of the body signed), unsigned (ETag checked after), chunked (aws-chunked, signed chunks and a CRC-32C trailer)",
            DefaultValueFactory = _ => "signed",
        };
        payload.AcceptOnlyFromAmong("signed", "unsigned", "chunked");
        var command = new Command("cp", "Copy files to, from or between buckets") { source, destination, recursive, contentType, payload };
        storage.SetS3Action(
            command,
            async (parseResult, s3, output, cancellationToken) =>
            {
                var run = new CopyRun(storage.Cli, s3, output, parseResult.GetValue(contentType), cancellationToken);
                await run.RunAsync(parseResult.GetValue(source)!, parseResult.GetValue(destination)!, parseResult.GetValue(recursive)).ConfigureAwait(false);
            },
            parseResult => parseResult.GetValue(payload) switch
            {
                "unsigned" => S3PayloadSigning.Unsigned,
                "chunked" => S3PayloadSigning.Chunked,
                _ => S3PayloadSigning.Signed,
            });
        return command;
    }

    private sealed class CopyRun(CliContext context, S3Client s3, OutputWriter output, string? contentType, CancellationToken cancellationToken)
    {
        public async Task RunAsync(string source, string destination, bool recursive)
        {
            var fromS3 = S3Location.IsS3(source);
            var toS3 = S3Location.IsS3(destination);
            switch (fromS3, toS3)
            {
                case (false, false):
                    throw new CliUsageException("one of source and destination must be s3://bucket/key (use cp(1) for local copies)");
                case (false, true):
                    await UploadAsync(source, ObjectCommands.ParseLocation(destination), recursive).ConfigureAwait(false);
                    break;
                case (true, false):
                    await DownloadAsync(ObjectCommands.ParseLocation(source), destination, recursive).ConfigureAwait(false);
                    break;
                default:
                    await CopyAsync(ObjectCommands.ParseLocation(source), ObjectCommands.ParseLocation(destination), recursive).ConfigureAwait(false);
                    break;
            }
        }

        private async Task UploadAsync(string path, S3Location target, bool recursive)
        {
            if (recursive)
            {
                if (!Directory.Exists(path))
                {
                    throw new CliUsageException($"'{path}' is not a directory (--recursive uploads a directory)");
                }

                var prefix = AsFolder(target.Key);
                var root = Path.GetFullPath(path);
                foreach (var file in Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.None }).Order(StringComparer.Ordinal))
                {
                    var relative = Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
                    await UploadFileAsync(file, target with { Key = prefix + relative }).ConfigureAwait(false);
                }

                return;
            }

            if (Directory.Exists(path))
            {
                throw new CliUsageException($"'{path}' is a directory: add --recursive to upload it");
            }

            if (!File.Exists(path))
            {
                throw new CliUsageException($"'{path}' does not exist");
            }

            var key = target.Key.Length == 0 || target.Key.EndsWith('/') ? target.Key + Path.GetFileName(path) : target.Key;
            await UploadFileAsync(path, target with { Key = key }).ConfigureAwait(false);
        }

        private async Task UploadFileAsync(string file, S3Location target)
        {
            var size = new FileInfo(file).Length;
            var progress = TransferProgress.Start(context, "upload " + Path.GetFileName(file), size);
            try
            {
                await s3.UploadFileAsync(target.Bucket, target.Key, file, new S3PutOptions { ContentType = contentType }, progress, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                progress?.Complete();
            }

            output.Message($"upload: {file} to {target}");
        }

        private async Task DownloadAsync(S3Location source, string path, bool recursive)
        {
            if (!recursive)
            {
                if (source.Key.Length == 0 || source.Key.EndsWith('/'))
                {
                    throw new CliUsageException($"{source} names no object: give s3://bucket/key, or --recursive for a prefix");
                }

                var intoFolder = Directory.Exists(path) || path.EndsWith('/') || path.EndsWith(Path.DirectorySeparatorChar);
                if (intoFolder && LastSegment(source.Key) is "." or "..")
                {
                    throw new CliUsageException($"the key of {source} is not a file name: give the destination file's path");
                }

                var target = intoFolder ? Path.Combine(path, LastSegment(source.Key)) : path;
                await DownloadFileAsync(source, target, size: null).ConfigureAwait(false);
                return;
            }

            var prefix = AsFolder(source.Key);
            var root = Path.GetFullPath(path);
            var skipped = 0;
            await foreach (var item in s3.ListAllObjectsAsync(source.Bucket, prefix.Length == 0 ? null : prefix, cancellationToken).ConfigureAwait(false))
            {
                var relative = item.Key[prefix.Length..];

                // Keys are arbitrary text: one like "../x" or "/etc/x" must never write outside the destination.
                var target = Path.GetFullPath(Path.Combine(root, relative));
                if (relative.Length == 0 || relative.EndsWith('/') || !target.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                    || relative.Split('/').Any(segment => segment is "" or "." or ".."))
                {
                    context.Stderr.WriteLine($"warning: skipped s3://{source.Bucket}/{item.Key}: the key is not a safe relative file path");
                    skipped++;
                    continue;
                }

                await DownloadFileAsync(source with { Key = item.Key }, target, item.Size).ConfigureAwait(false);
            }

            if (skipped > 0)
            {
                throw new IOException($"{skipped} objects were not downloaded (see the warnings above)");
            }
        }

        private async Task DownloadFileAsync(S3Location source, string target, long? size)
        {
            size ??= (await s3.HeadObjectAsync(source.Bucket, source.Key, cancellationToken).ConfigureAwait(false)).ContentLength;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(target))!);
            var progress = TransferProgress.Start(context, "download " + LastSegment(source.Key), size.Value);
            try
            {
                await s3.DownloadFileAsync(source.Bucket, source.Key, target, progress, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                progress?.Complete();
            }

            output.Message($"download: {source} to {target}");
        }

        private async Task CopyAsync(S3Location source, S3Location target, bool recursive)
        {
            if (!recursive)
            {
                var key = target.Key.Length == 0 || target.Key.EndsWith('/') ? target.Key + LastSegment(source.Key) : target.Key;
                await s3.CopyObjectAsync(source.Bucket, source.Key, target.Bucket, key, cancellationToken).ConfigureAwait(false);
                output.Message($"copy: {source} to {target with { Key = key }}");
                return;
            }

            var prefix = AsFolder(source.Key);
            var targetPrefix = AsFolder(target.Key);
            await foreach (var item in s3.ListAllObjectsAsync(source.Bucket, prefix.Length == 0 ? null : prefix, cancellationToken).ConfigureAwait(false))
            {
                var copy = target with { Key = targetPrefix + item.Key[prefix.Length..] };
                await s3.CopyObjectAsync(source.Bucket, item.Key, copy.Bucket, copy.Key, cancellationToken).ConfigureAwait(false);
                output.Message($"copy: {source with { Key = item.Key }} to {copy}");
            }
        }

        private static string AsFolder(string key) => key.Length == 0 || key.EndsWith('/') ? key : key + "/";

        private static string LastSegment(string key)
        {
            var name = key.TrimEnd('/');
            var slash = name.LastIndexOf('/');
            return slash < 0 ? name : name[(slash + 1)..];
        }
    }
}
