using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Nimbus.Contracts.Checksums;
using Nimbus.Contracts.Signing;

namespace Nimbus.Sdk.S3;

public sealed partial class S3Client
{
    /// <summary>Uploads bytes as one object (PutObject).</summary>
    /// <param name="bucket">Required. Bucket name.</param>
    /// <param name="key">Required. Object key: any UTF-8 up to 1024 bytes.</param>
    /// <param name="content">The object's bytes.</param>
    /// <param name="options">Optional. Content type, metadata, payload signing.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The object's ETag, quoted.</returns>
    public Task<string> PutObjectAsync(string bucket, string key, ReadOnlyMemory<byte> content, S3PutOptions? options = null, CancellationToken cancellationToken = default) =>
        PutAsync(bucket, key, S3Body.FromBytes(content), options, cancellationToken);

    /// <summary>
    /// Uploads <paramref name="length"/> bytes of a stream as one object (PutObject, up to 5 GiB), read from its current
    /// position. A stream that cannot seek is read once, so it is sent once (no retry) and only with
    /// <see cref="S3PayloadSigning.Unsigned"/> or <see cref="S3PayloadSigning.Chunked"/>.
    /// </summary>
    /// <param name="bucket">Required. Bucket name.</param>
    /// <param name="key">Required. Object key.</param>
    /// <param name="content">Required. The bytes; not disposed.</param>
    /// <param name="length">Exactly how many bytes to send.</param>
    /// <param name="options">Optional. Content type, metadata, payload signing.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The object's ETag, quoted.</returns>
    public Task<string> PutObjectAsync(string bucket, string key, Stream content, long length, S3PutOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var signing = options?.PayloadSigning ?? Options.PayloadSigning;
        if (!content.CanSeek && signing == S3PayloadSigning.Signed)
        {
            signing = S3PayloadSigning.Unsigned;
        }

        return PutAsync(bucket, key, S3Body.FromStream(content, length), (options ?? new S3PutOptions()) with { PayloadSigning = signing }, cancellationToken);
    }

    /// <summary>Reads an object's metadata (HeadObject).</summary>
    /// <param name="bucket">Required. Bucket name.</param>
    /// <param name="key">Required. Object key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Size, ETag, content type, metadata.</returns>
    public async Task<S3ObjectInfo> HeadObjectAsync(string bucket, string key, CancellationToken cancellationToken = default)
    {
        using var answer = await SendAsync(new S3Call(HttpMethod.Head, Bucket(bucket), Key(key)).WithHeader(ChecksumModeHeader, "ENABLED"), cancellationToken).ConfigureAwait(false);
        return InfoOf(answer.Response);
    }

    private const string ChecksumModeHeader = "x-amz-checksum-mode";

    /// <summary>
    /// Downloads an object (GetObject) into <paramref name="destination"/>, streaming, and checks what arrived: its
    /// length, its MD5 against the ETag of a single-PUT object, and its stored full-object checksum (asked for with
    /// <c>x-amz-checksum-mode: ENABLED</c>), so a multipart object is verified end to end too.
    /// </summary>
    /// <param name="bucket">Required. Bucket name.</param>
    /// <param name="key">Required. Object key.</param>
    /// <param name="destination">Required. Receives the bytes; not disposed.</param>
    /// <param name="progress">Optional. Told the number of bytes received so far, now and then.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The object's metadata.</returns>
    /// <exception cref="IOException">The connection ended before the whole body arrived, or its MD5 did not match the ETag.</exception>
    public async Task<S3ObjectInfo> GetObjectAsync(string bucket, string key, Stream destination, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        using var answer = await SendAsync(new S3Call(HttpMethod.Get, Bucket(bucket), Key(key)).WithHeader(ChecksumModeHeader, "ENABLED"), cancellationToken).ConfigureAwait(false);
        var info = InfoOf(answer.Response);
        using var md5 = info.ETagIsMd5 ? IncrementalHash.CreateHash(HashAlgorithmName.MD5) : null;
        var (checksum, expected) = FullObjectChecksumOf(info);
        using var _ = checksum;
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(256 * 1024);
        long received = 0;
        try
        {
            await using var body = await answer.Response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            int n;
            while ((n = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                md5?.AppendData(buffer, 0, n);
                checksum?.Append(buffer.AsSpan(0, n));
                await destination.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                received += n;
                progress?.Report(received);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }

        if (received != info.ContentLength)
        {
            throw new IOException($"Download of '{key}' ended after {received} of {info.ContentLength} bytes.");
        }

        if (md5 is not null && !string.Equals(Convert.ToHexStringLower(md5.GetHashAndReset()), info.ETag!.Trim('"'), StringComparison.OrdinalIgnoreCase))
        {
            throw new IOException($"Download of '{key}': the bytes received do not match the object's ETag {info.ETag}.");
        }

        if (checksum is not null && !string.Equals(checksum.GetBase64(), expected, StringComparison.Ordinal))
        {
            throw new IOException($"Download of '{key}': the bytes received do not match the object's {ChecksumAlgorithms.GetName(checksum.Algorithm)} checksum {expected}.");
        }

        return info;
    }

    /// <summary>Deletes an object (DeleteObject); deleting a key that does not exist succeeds.</summary>
    /// <param name="bucket">Required. Bucket name.</param>
    /// <param name="key">Required. Object key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the object is gone.</returns>
    public async Task DeleteObjectAsync(string bucket, string key, CancellationToken cancellationToken = default)
    {
        using var answer = await SendAsync(new S3Call(HttpMethod.Delete, Bucket(bucket), Key(key)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes up to 1000 objects in one request (DeleteObjects).</summary>
    /// <param name="bucket">Required. Bucket name.</param>
    /// <param name="keys">Required. 1 to 1000 keys.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Which keys were deleted and which failed.</returns>
    public async Task<S3DeleteResult> DeleteObjectsAsync(string bucket, IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count is 0 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(keys), keys.Count, "DeleteObjects takes 1 to 1000 keys.");
        }

        var document = new XElement("Delete", keys.Select(k => new XElement("Object", new XElement("Key", Key(k)))));
        var bytes = Encoding.UTF8.GetBytes(document.ToString(SaveOptions.DisableFormatting));
        var call = new S3Call(HttpMethod.Post, Bucket(bucket), null) { Body = S3Body.FromBytes(bytes), BodyContentType = "application/xml" }.WithQuery("delete");
        var result = await ReadXmlAsync(call, cancellationToken).ConfigureAwait(false);
        var root = result.Root!;
        return new S3DeleteResult
        {
            Deleted = [.. root.Elements().Where(e => e.Name.LocalName == "Deleted").Select(e => S3ErrorParser.Child(e, "Key") ?? "")],
            Errors = [.. root.Elements().Where(e => e.Name.LocalName == "Error").Select(e => new S3DeleteError(S3ErrorParser.Child(e, "Key") ?? "", S3ErrorParser.Child(e, "Code") ?? "InternalError", S3ErrorParser.Child(e, "Message") ?? ""))],
        };
    }

    /// <summary>Copies an object on the server (CopyObject, up to 5 GiB), keeping its metadata.</summary>
    /// <param name="sourceBucket">Required. Bucket of the source.</param>
    /// <param name="sourceKey">Required. Key of the source.</param>
    /// <param name="bucket">Required. Bucket of the copy.</param>
    /// <param name="key">Required. Key of the copy.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The copy's ETag, quoted.</returns>
    public async Task<string> CopyObjectAsync(string sourceBucket, string sourceKey, string bucket, string key, CancellationToken cancellationToken = default)
    {
        var call = new S3Call(HttpMethod.Put, Bucket(bucket), Key(key)).WithHeader("x-amz-copy-source", S3Paths.CopySource(Bucket(sourceBucket), Key(sourceKey)));
        var result = await ReadXmlAsync(call, cancellationToken).ConfigureAwait(false);
        return S3ErrorParser.Child(result.Root!, "ETag") ?? "";
    }

    /// <summary>Lists one page of a bucket's objects (ListObjectsV2; keys are asked URL-encoded and decoded, so any key survives XML).</summary>
    /// <param name="bucket">Required. Bucket name.</param>
    /// <param name="request">Optional. Prefix, delimiter, page size, continuation.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page.</returns>
    public async Task<S3ListPage> ListObjectsAsync(string bucket, S3ListRequest? request = null, CancellationToken cancellationToken = default)
    {
        request ??= new S3ListRequest();
        var call = new S3Call(HttpMethod.Get, Bucket(bucket), null)
            .WithQuery("list-type", "2")
            .WithQuery("encoding-type", "url")
            .WithQuery("prefix", request.Prefix)
            .WithQuery("delimiter", request.Delimiter)
            .WithQuery("max-keys", request.MaxKeys?.ToString(CultureInfo.InvariantCulture))
            .WithQuery("continuation-token", request.ContinuationToken)
            .WithQuery("start-after", request.StartAfter);
        var document = await ReadXmlAsync(call, cancellationToken).ConfigureAwait(false);
        var root = document.Root!;
        var encoded = string.Equals(S3ErrorParser.Child(root, "EncodingType"), "url", StringComparison.OrdinalIgnoreCase);
        string Decode(string? value) => value is null ? "" : encoded ? Uri.UnescapeDataString(value) : value;
        var truncated = string.Equals(S3ErrorParser.Child(root, "IsTruncated"), "true", StringComparison.OrdinalIgnoreCase);
        return new S3ListPage
        {
            Objects =
            [
                .. root.Elements().Where(e => e.Name.LocalName == "Contents").Select(e => new S3ObjectSummary
                {
                    Key = Decode(S3ErrorParser.Child(e, "Key")),
                    Size = long.Parse(S3ErrorParser.Child(e, "Size") ?? "0", CultureInfo.InvariantCulture),
                    ETag = S3ErrorParser.Child(e, "ETag"),
                    LastModified = DateTimeOffset.Parse(S3ErrorParser.Child(e, "LastModified") ?? "1970-01-01T00:00:00Z", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                    StorageClass = S3ErrorParser.Child(e, "StorageClass"),
                }),
            ],
            CommonPrefixes = [.. root.Elements().Where(e => e.Name.LocalName == "CommonPrefixes").Select(e => Decode(S3ErrorParser.Child(e, "Prefix")))],
            NextContinuationToken = truncated ? S3ErrorParser.Child(root, "NextContinuationToken") : null,
        };
    }

    /// <summary>Every object under a prefix, page after page (ListObjectsV2 without a delimiter).</summary>
    /// <param name="bucket">Required. Bucket name.</param>
    /// <param name="prefix">Optional. Only keys starting with this; default all.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The objects in key order.</returns>
    public async IAsyncEnumerable<S3ObjectSummary> ListAllObjectsAsync(string bucket, string? prefix = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? token = null;
        do
        {
            var page = await ListObjectsAsync(bucket, new S3ListRequest { Prefix = prefix, ContinuationToken = token }, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Objects)
            {
                yield return item;
            }

            token = page.NextContinuationToken;
        }
        while (token is not null);
    }

    /// <summary>A presigned URL: anyone holding it may GET (or PUT) the object until it expires, without credentials.</summary>
    /// <param name="method">Required. <see cref="HttpMethod.Get"/> or <see cref="HttpMethod.Put"/> (or HEAD, DELETE).</param>
    /// <param name="bucket">Required. Bucket name.</param>
    /// <param name="key">Required. Object key.</param>
    /// <param name="expires">Validity, 1 second to 7 days.</param>
    /// <returns>The URL.</returns>
    public Uri Presign(HttpMethod method, string bucket, string key, TimeSpan expires)
    {
        ArgumentNullException.ThrowIfNull(method);
        var uri = S3Paths.Build(Options.Endpoint, Bucket(bucket), Key(key), []);
        var signed = SigV4Signer.Presign(method, uri, _credentials, Options.Region, S3ClientOptions.ServiceName, Options.TimeProvider.GetUtcNow(), expires);

        // The signer hands back a canonicalized Uri, which drops "." and ".." segments: keep the key's path as signed.
        return S3Paths.WithQuery(uri, signed.Query);
    }

    internal async Task<string> PutAsync(string bucket, string key, S3Body body, S3PutOptions? options, CancellationToken cancellationToken)
    {
        var call = new S3Call(HttpMethod.Put, Bucket(bucket), Key(key))
        {
            Body = body,
            BodyContentType = options?.ContentType,
            PayloadSigning = options?.PayloadSigning ?? Options.PayloadSigning,
        };
        AddMetadata(call, options?.Metadata);
        using var answer = await SendAsync(call, cancellationToken).ConfigureAwait(false);
        return CheckETag(answer, key);
    }

    private static void AddMetadata(S3Call call, IReadOnlyDictionary<string, string>? metadata)
    {
        foreach (var (name, value) in metadata ?? new Dictionary<string, string>())
        {
            call.WithHeader("x-amz-meta-" + name, value);
        }
    }

    /// <summary>The ETag of a PUT or UploadPart, checked against the MD5 of the bytes sent: a mismatch means the server stored other bytes.</summary>
    private static string CheckETag(S3Answer answer, string key)
    {
        var etag = answer.Response.Headers.ETag?.Tag
            ?? (answer.Response.Headers.TryGetValues("ETag", out var values) ? values.FirstOrDefault() : null)
            ?? throw new IOException($"The server answered the upload of '{key}' without an ETag.");
        if (answer.SentMd5 is { } md5 && !string.Equals(etag.Trim('"'), md5, StringComparison.OrdinalIgnoreCase))
        {
            throw new IOException($"Upload of '{key}': the server's ETag {etag} is not the MD5 of the bytes sent ({md5}).");
        }

        return etag;
    }

    private async Task<XDocument> ReadXmlAsync(S3Call call, CancellationToken cancellationToken)
    {
        using var answer = await SendAsync(call, cancellationToken).ConfigureAwait(false);
        await using var stream = await answer.Response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var document = await XDocument.LoadAsync(stream, LoadOptions.None, cancellationToken).ConfigureAwait(false);
        if (S3ErrorParser.FromDocument(document, answer.Response.StatusCode, S3ErrorParser.RequestIdOf(answer.Response)) is { } error)
        {
            throw error;
        }

        return document;
    }

    /// <summary>The first stored checksum that covers the whole object (not a COMPOSITE checksum of parts), ready to compute.</summary>
    private static (IncrementalChecksum? Checksum, string? Expected) FullObjectChecksumOf(S3ObjectInfo info)
    {
        if (string.Equals(info.ChecksumType, "COMPOSITE", StringComparison.OrdinalIgnoreCase))
        {
            return (null, null);
        }

        foreach (var (name, value) in info.Checksums)
        {
            if (!value.Contains('-', StringComparison.Ordinal) && ChecksumAlgorithms.TryParse(name, out var algorithm))
            {
                return (IncrementalChecksum.Create(algorithm), value);
            }
        }

        return (null, null);
    }

    private static S3ObjectInfo InfoOf(HttpResponseMessage response)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var checksums = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            var lower = name.ToLowerInvariant();
            if (lower.StartsWith("x-amz-meta-", StringComparison.Ordinal))
            {
                metadata[lower["x-amz-meta-".Length..]] = string.Join(",", values);
            }
            else if (lower.StartsWith("x-amz-checksum-", StringComparison.Ordinal) && lower != "x-amz-checksum-type")
            {
                checksums[lower["x-amz-checksum-".Length..]] = string.Join(",", values);
            }
        }

        return new S3ObjectInfo
        {
            ContentLength = response.Content.Headers.ContentLength ?? 0,
            ETag = response.Headers.ETag?.Tag,
            ContentType = response.Content.Headers.ContentType?.ToString(),
            LastModified = response.Content.Headers.LastModified,
            VersionId = response.Headers.TryGetValues("x-amz-version-id", out var version) ? version.FirstOrDefault() : null,
            ChecksumType = response.Headers.TryGetValues("x-amz-checksum-type", out var type) ? type.FirstOrDefault() : null,
            Metadata = metadata,
            Checksums = checksums,
        };
    }

    private static string Bucket(string bucket)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        return bucket;
    }

    private static string Key(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return key;
    }
}
