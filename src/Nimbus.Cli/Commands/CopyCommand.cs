using System.CommandLine;
using Nimbus.Cli.Output;
using Nimbus.Sdk.S3;

namespace Nimbus.Cli.Commands;

/// <summary>
/// <c>nimbus storage cp SRC DST [--recursive]</c>: local file or directory to a bucket, bucket to local, or bucket to
/// bucket (server-side copy); <c>-</c> as SRC is standard input, as DST standard output. Large files go up in parts;
/// a progress bar shows on stderr when it is a terminal.
/// </summary>
internal static class CopyCommand
{
    public static Command Create(StorageContext storage)
    {
        var source = new Argument<string>("source") { Description = "A local path, s3://bucket/key, or - for standard input" };
        var destination = new Argument<string>("destination") { Description = "A local path, s3://bucket/key (a trailing / means 'into this folder'), or - for standard output" };
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
            if (source == "-" || destination == "-")
            {
                await StreamAsync(source, destination, fromS3, toS3, recursive).ConfigureAwait(false);
                return;
            }

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

        /// <summary><c>cp - s3://bucket/key</c> (standard input to an object) and <c>cp s3://bucket/key -</c> (an object to standard output).</summary>
        private async Task StreamAsync(string source, string destination, bool fromS3, bool toS3, bool recursive)
        {
            if (recursive)
            {
                throw new CliUsageException("'-' (standard input or output) is one stream: it cannot be copied with --recursive");
            }

            if (source == "-" && toS3)
            {
                var target = ObjectCommands.ParseLocation(destination);
                if (target.Key.Length == 0 || target.Key.EndsWith('/'))
                {
                    throw new CliUsageException($"{target} names no object: standard input has no file name, so give the whole key");
                }

                var stdin = context.Host.StdinBytes ?? throw new CliUsageException("standard input cannot be read as bytes here");
                var size = await UploadStreamAsync(stdin, target).ConfigureAwait(false);
                context.Stderr.WriteLine($"upload: {size} bytes from standard input to {target}");
                return;
            }

            if (destination == "-" && fromS3)
            {
                var from = ObjectCommands.ParseLocation(source);
                if (from.Key.Length == 0 || from.Key.EndsWith('/'))
                {
                    throw new CliUsageException($"{from} names no object: give s3://bucket/key");
                }

                // Nothing but the object's bytes goes to standard output. The checksum or ETag is checked as the
                // bytes go: a mismatch (or a cut) ends the command with an error after what was written.
                var stdout = context.Host.StdoutBytes ?? throw new CliUsageException("standard output cannot be written as bytes here");
                await s3.GetObjectAsync(from.Bucket, from.Key, stdout, progress: null, cancellationToken).ConfigureAwait(false);
                await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
                return;
            }

            throw new CliUsageException("'-' copies standard input to s3://bucket/key, or s3://bucket/key to standard output");
        }

        /// <summary>
        /// Uploads a stream of unknown length with memory for one part: what fits in one part is one PUT, anything
        /// longer a multipart upload of the client's part size (aborted if anything fails). Returns the byte count.
        /// </summary>
        private async Task<long> UploadStreamAsync(Stream input, S3Location target)
        {
            var partSize = (int)Math.Min(s3.Options.PartSize, 512L * 1024 * 1024);
            var buffer = new byte[partSize];
            var filled = await FillAsync(input, buffer).ConfigureAwait(false);
            var options = new S3PutOptions { ContentType = contentType };
            if (filled < partSize)
            {
                await s3.PutObjectAsync(target.Bucket, target.Key, buffer.AsMemory(0, filled), options, cancellationToken).ConfigureAwait(false);
                return filled;
            }

            var uploadId = await s3.CreateMultipartUploadAsync(target.Bucket, target.Key, options, cancellationToken).ConfigureAwait(false);
            try
            {
                var parts = new List<S3CompletedPart>();
                long total = 0;
                while (filled > 0)
                {
                    if (parts.Count == 10_000)
                    {
                        throw new IOException($"standard input is longer than 10,000 parts of {partSize} bytes (the S3 limit); raise the part size");
                    }

                    parts.Add(await s3.UploadPartAsync(target.Bucket, target.Key, uploadId, parts.Count + 1, buffer.AsMemory(0, filled), cancellationToken).ConfigureAwait(false));
                    total += filled;
                    filled = filled < partSize ? 0 : await FillAsync(input, buffer).ConfigureAwait(false);
                }

                await s3.CompleteMultipartUploadAsync(target.Bucket, target.Key, uploadId, parts, cancellationToken).ConfigureAwait(false);
                return total;
            }
            catch
            {
                try
                {
                    await s3.AbortMultipartUploadAsync(target.Bucket, target.Key, uploadId, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is Sdk.NimbusClientException or HttpRequestException)
                {
                    context.Stderr.WriteLine($"warning: could not abort multipart upload {uploadId}: {ex.Message}");
                }

                throw;
            }
        }

        private async Task<int> FillAsync(Stream input, byte[] buffer)
        {
            var filled = 0;
            int read;
            while (filled < buffer.Length && (read = await input.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false)) > 0)
            {
                filled += read;
            }

            return filled;
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
