namespace Nimbus.Sdk.S3;

public sealed partial class S3Client
{
    /// <summary>
    /// Uploads a file: one PUT below <see cref="S3ClientOptions.MultipartThreshold"/>, else a multipart upload of
    /// <see cref="S3ClientOptions.PartSize"/> parts (larger when the file would need more than 10,000), several at a time.
    /// A failed multipart upload is aborted, so it leaves no parts behind.
    /// </summary>
    /// <param name="bucket">Required. Bucket name.</param>
    /// <param name="key">Required. Object key.</param>
    /// <param name="path">Required. The file.</param>
    /// <param name="options">Optional. Content type, metadata, payload signing.</param>
    /// <param name="progress">Optional. Told the number of bytes uploaded so far, after each part.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>The object's ETag, quoted.</returns>
    public async Task<string> UploadFileAsync(string bucket, string key, string path, S3PutOptions? options = null, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var size = new FileInfo(path).Length;
        if (size < Options.MultipartThreshold)
        {
            var etag = await PutAsync(bucket, key, S3Body.FromFile(path, 0, size), options, cancellationToken).ConfigureAwait(false);
            progress?.Report(size);
            return etag;
        }

        var partSize = PartSizeFor(size);
        var partCount = (int)((size + partSize - 1) / partSize);
        var uploadId = await CreateMultipartUploadAsync(bucket, key, options, cancellationToken).ConfigureAwait(false);
        try
        {
            var parts = new S3CompletedPart[partCount];
            long uploaded = 0;
            await Parallel.ForEachAsync(
                Enumerable.Range(1, partCount),
                new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Options.TransferConcurrency), CancellationToken = cancellationToken },
                async (number, token) =>
                {
                    var offset = (number - 1) * partSize;
                    var length = Math.Min(partSize, size - offset);
                    parts[number - 1] = await UploadPartAsync(bucket, key, uploadId, number, S3Body.FromFile(path, offset, length), token).ConfigureAwait(false);
                    progress?.Report(Interlocked.Add(ref uploaded, length));
                }).ConfigureAwait(false);
            return await CompleteMultipartUploadAsync(bucket, key, uploadId, parts, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            try
            {
                await AbortMultipartUploadAsync(bucket, key, uploadId, CancellationToken.None).ConfigureAwait(false);
            }
            catch (NimbusClientException)
            {
                // The original failure is what the caller needs to see; the server aborts forgotten uploads by lifecycle.
            }

            throw;
        }
    }

    /// <summary>
    /// Downloads an object to a file: the bytes go to a temporary file beside it, checked (length, and MD5 against the ETag
    /// of a single-PUT object), then renamed over <paramref name="path"/>; a failed download leaves no partial file.
    /// </summary>
    /// <param name="bucket">Required. Bucket name.</param>
    /// <param name="key">Required. Object key.</param>
    /// <param name="path">Required. The file to write; its directory must exist.</param>
    /// <param name="progress">Optional. Told the number of bytes received so far.</param>
    /// <param name="cancellationToken">Cancels the download.</param>
    /// <returns>The object's metadata.</returns>
    public async Task<S3ObjectInfo> DownloadFileAsync(string bucket, string key, string path, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var temp = Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full) + ".nimbus-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            S3ObjectInfo info;
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous))
            {
                info = await GetObjectAsync(bucket, key, file, progress, cancellationToken).ConfigureAwait(false);
            }

            File.Move(temp, full, overwrite: true);
            return info;
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>The part size for a file: the configured one, raised so the file fits in 10,000 parts.</summary>
    internal long PartSizeFor(long size)
    {
        var partSize = Math.Max(Options.PartSize, S3ClientOptions.MinPartSize);
        var needed = (size + S3ClientOptions.MaxParts - 1) / S3ClientOptions.MaxParts;
        return Math.Max(partSize, needed);
    }
}
