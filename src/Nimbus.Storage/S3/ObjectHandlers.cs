using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Nimbus.Contracts.Checksums;
using Nimbus.Storage.Buckets;
using Nimbus.Storage.Engine;

namespace Nimbus.Storage.S3;

/// <summary>Object operations: PUT, GET/HEAD, DELETE, DeleteObjects, CopyObject.</summary>
internal static class ObjectHandlers
{
    private const int MaxDeleteKeys = 1000;

    /// <summary>The checksum stored for objects whose upload names none: CRC64NVME, as S3 does.</summary>
    public const ChecksumAlgorithm DefaultChecksum = ChecksumAlgorithm.Crc64Nvme;

    public static async Task PutObjectAsync(S3Context s3)
    {
        var bucket = await s3.BucketAsync().ConfigureAwait(false);
        await s3.AuthorizeAsync("s3:PutObject", s3.ObjectArn, bucket).ConfigureAwait(false);
        S3Acl.RequireOwnerOnlyHeaders(s3);
        using var body = s3.OpenUpload(DefaultChecksum);
        var meta = ObjectHeaders.FromRequest(s3.Headers);
        await CheckWritePreconditionsAsync(s3, bucket).ConfigureAwait(false);
        using var reservation = await s3.Services.Usage.ReserveAsync(bucket.Account, body.Length!.Value, s3.Aborted).ConfigureAwait(false);
        using var data = await s3.ReceiveBodyAsync(body, allowInline: true).ConfigureAwait(false);
        var record = await s3.Services.Engine.PutAsync(bucket.Id, bucket.Account, s3.KeyBytes, data, meta, s3.Services.Time.GetUtcNow(), bucket.Versioning).ConfigureAwait(false);
        s3.Response.Headers.ETag = record.ETag;
        WriteVersionId(s3, bucket, record.VersionId);
        if (body.Requested is not null)
        {
            ObjectHeaders.WriteChecksum(s3.Response, record.Checksum);
        }

        s3.Response.StatusCode = 200;
        s3.Response.ContentLength = 0;
    }

    public static async Task GetObjectAsync(S3Context s3, bool head)
    {
        var bucket = await s3.BucketAsync().ConfigureAwait(false);
        var versionId = s3.Request.Query("versionId");
        await s3.AuthorizeAsync(versionId is null ? "s3:GetObject" : "s3:GetObjectVersion", s3.ObjectArn, bucket).ConfigureAwait(false);
        for (var attempt = 0; ; attempt++)
        {
            var record = Find(s3, bucket.Id, versionId);
            if (record.Corrupt)
            {
                throw S3Errors.ObjectCorrupt();
            }

            if (Preconditions.Evaluate(s3.Headers, record, readRequest: true) == Preconditions.Outcome.NotModified)
            {
                s3.Response.StatusCode = 304;
                s3.Response.Headers.ETag = record.ETag;
                s3.Response.Headers.LastModified = HttpDates.Format(record.LastModified);
                return;
            }

            var partRange = PartRange(s3, record);
            var range = partRange ?? Preconditions.Range(s3.Headers, record);
            ObjectHeaders.Write(s3.Response, record, s3.Request);
            WriteVersionId(s3, bucket, record.VersionId);

            // The stored checksum describes the whole object: not a range. One part of several has its own, the
            // part's checksum as it was uploaded (what S3 returns, and what a parallel download checks per part).
            if (ObjectHeaders.ChecksumModeEnabled(s3.Headers))
            {
                if (range is null || (partRange is not null && record.PartCount <= 1))
                {
                    ObjectHeaders.WriteChecksum(s3.Response, record.Checksum);
                }
                else if (partRange is not null)
                {
                    ObjectHeaders.WriteChecksum(s3.Response, PartChecksum(s3, bucket.Id, record));
                }
            }

            var (start, length) = range ?? (0, record.Size);
            if (range is not null)
            {
                s3.Response.StatusCode = 206;
                s3.Response.Headers.ContentRange = $"bytes {start}-{start + length - 1}/{record.Size}";
            }
            else
            {
                s3.Response.StatusCode = 200;
            }

            s3.Response.ContentLength = length;
            if (head)
            {
                return;
            }

            try
            {
                await ObjectReader.SendAsync(s3.Services.Engine.Layout, record.Segments, start, length, s3.Response.BodyWriter, s3.Response.StartAsync, s3.Aborted).ConfigureAwait(false);
                return;
            }
            catch (DataMissingException) when (attempt == 0 && !s3.Response.HasStarted)
            {
                // Replaced or deleted between the lookup and the read: look again.
                s3.Response.Clear();
                s3.Response.Headers["x-amz-request-id"] = s3.Http.TraceIdentifier;
            }
            catch (Exception ex) when (ex is CorruptDataException or DataMissingException)
            {
                if (s3.Services.Engine.Get(bucket.Id, s3.KeyBytes, record.VersionId)?.ETag == record.ETag)
                {
                    await s3.Services.Engine.MarkCorruptAsync(bucket.Id, s3.KeyBytes, record.VersionId).ConfigureAwait(false);
                }

                throw S3Errors.ObjectCorrupt();
            }
        }
    }

    public static async Task DeleteObjectAsync(S3Context s3)
    {
        var bucket = await s3.BucketAsync().ConfigureAwait(false);
        var versionId = s3.Request.Query("versionId");
        await s3.AuthorizeAsync(versionId is null ? "s3:DeleteObject" : "s3:DeleteObjectVersion", s3.ObjectArn, bucket).ConfigureAwait(false);
        var outcomes = await s3.Services.Engine.DeleteManyAsync(bucket.Id, bucket.Account, [(s3.KeyBytes, versionId)], bucket.Versioning, s3.Services.Time.GetUtcNow()).ConfigureAwait(false);
        if (outcomes[0].VersionId is { } deleted)
        {
            s3.Response.Headers["x-amz-version-id"] = deleted;
        }

        if (outcomes[0].DeleteMarker)
        {
            s3.Response.Headers["x-amz-delete-marker"] = "true";
        }

        s3.Response.StatusCode = 204;
    }

    public static async Task DeleteObjectsAsync(S3Context s3)
    {
        var bucket = await s3.BucketAsync().ConfigureAwait(false);
        var body = await s3.ReadSmallBodyAsync(4 * 1024 * 1024).ConfigureAwait(false);
        var delete = S3XmlInput.Parse(body, "Delete");
        var quiet = string.Equals(delete.Child("Quiet")?.Value.Trim(), "true", StringComparison.OrdinalIgnoreCase);
        var objects = delete.Children("Object").ToList();
        if (objects.Count == 0 || objects.Count > MaxDeleteKeys)
        {
            throw S3Errors.MalformedXml($"a Delete request lists 1 to {MaxDeleteKeys} objects.");
        }

        var keys = new List<(string Key, byte[] Bytes, string? Version)>(objects.Count);
        var errors = new List<(string Key, string Code, string Message)>();
        foreach (var o in objects)
        {
            var key = o.Child("Key")?.Value ?? throw S3Errors.MalformedXml("every Object needs a Key.");
            var version = o.Child("VersionId")?.Value.Trim();
            version = string.IsNullOrEmpty(version) ? null : version;
            var bytes = Encoding.UTF8.GetBytes(key);
            if (bytes.Length is 0 or > S3Request.MaxKeyBytes)
            {
                errors.Add((key, "KeyTooLongError", "Keys are 1 to 1024 bytes of UTF-8."));
                continue;
            }

            try
            {
                await s3.AuthorizeAsync(version is null ? "s3:DeleteObject" : "s3:DeleteObjectVersion", bucket.Arn + "/" + key, bucket).ConfigureAwait(false);
                keys.Add((key, bytes, version));
            }
            catch (Core.Errors.NimbusException ex) when (ex.Status == 403)
            {
                errors.Add((key, "AccessDenied", "Access Denied"));
            }
        }

        s3.Resources = [bucket.Arn];
        var outcomes = keys.Count == 0 ? []
            : await s3.Services.Engine.DeleteManyAsync(bucket.Id, bucket.Account, [.. keys.Select(k => (k.Bytes, k.Version))], bucket.Versioning, s3.Services.Time.GetUtcNow()).ConfigureAwait(false);
        using var xml = new S3Xml("DeleteResult");
        if (!quiet)
        {
            for (var i = 0; i < keys.Count; i++)
            {
                xml.Start("Deleted").Element("Key", keys[i].Key);
                if (keys[i].Version is { } version)
                {
                    xml.Element("VersionId", version);
                    if (outcomes[i].DeleteMarker)
                    {
                        xml.Element("DeleteMarker", true);
                    }
                }
                else if (outcomes[i].DeleteMarker)
                {
                    xml.Element("DeleteMarker", true).Element("DeleteMarkerVersionId", outcomes[i].VersionId);
                }

                xml.End();
            }
        }

        foreach (var (key, code, message) in errors)
        {
            xml.Start("Error").Element("Key", key).Element("Code", code).Element("Message", message).End();
        }

        await xml.SendAsync(s3.Response).ConfigureAwait(false);
    }

    public static async Task CopyObjectAsync(S3Context s3)
    {
        var bucket = await s3.BucketAsync().ConfigureAwait(false);
        var (sourceBucket, source) = await ReadCopySourceAsync(s3).ConfigureAwait(false);
        await s3.AuthorizeAsync("s3:PutObject", s3.ObjectArn, bucket).ConfigureAwait(false);
        S3Acl.RequireOwnerOnlyHeaders(s3);
        var directive = s3.Headers["x-amz-metadata-directive"].ToString();
        if (directive.Length > 0 && directive is not ("COPY" or "REPLACE"))
        {
            throw S3Errors.InvalidArgument("x-amz-metadata-directive must be COPY or REPLACE.");
        }

        var taggingDirective = s3.Headers["x-amz-tagging-directive"].ToString();
        var replace = directive == "REPLACE";
        if (!replace && taggingDirective != "REPLACE" && sourceBucket.Id == bucket.Id && source.Key.AsSpan().SequenceEqual(s3.KeyBytes))
        {
            throw S3Errors.InvalidRequest("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.");
        }

        var requested = ObjectHeaders.FromRequest(s3.Headers);
        var meta = replace ? requested : source.Meta;
        if (taggingDirective == "REPLACE")
        {
            meta = meta with { Tags = requested.Tags };
        }
        else if (replace)
        {
            meta = meta with { Tags = source.Meta.Tags };
        }

        var algorithmHeader = s3.Headers[ChecksumAlgorithms.AlgorithmHeader].ToString();
        ChecksumAlgorithm algorithm;
        if (algorithmHeader.Length > 0)
        {
            algorithm = ChecksumAlgorithms.TryParse(algorithmHeader, out var named) ? named : throw S3Errors.InvalidRequest("Checksum algorithm provided is unsupported.");
        }
        else
        {
            algorithm = source.Checksum is { Type: ChecksumType.FullObject } full ? full.Algorithm : DefaultChecksum;
        }

        using var reservation = await s3.Services.Usage.ReserveAsync(bucket.Account, source.Size, s3.Aborted).ConfigureAwait(false);
        using var data = await s3.Services.Engine.CopyAsync(source, 0, source.Size, algorithm, allowInline: true, s3.Aborted).ConfigureAwait(false);
        var record = await s3.Services.Engine.PutAsync(bucket.Id, bucket.Account, s3.KeyBytes, data, meta, s3.Services.Time.GetUtcNow(), bucket.Versioning).ConfigureAwait(false);
        WriteVersionId(s3, bucket, record.VersionId);
        if (sourceBucket.Versioning != VersioningState.Unversioned)
        {
            s3.Response.Headers["x-amz-copy-source-version-id"] = source.VersionId;
        }

        using var xml = new S3Xml("CopyObjectResult");
        xml.Element("ETag", record.ETag).Element("LastModified", record.LastModified);
        if (record.Checksum is { } checksum)
        {
            xml.Element("ChecksumType", checksum.TypeName).Element(checksum.ElementName, checksum.Value);
        }
        await xml.SendAsync(s3.Response).ConfigureAwait(false);
    }

    /// <summary>
    /// Resolves <c>x-amz-copy-source</c> (<c>[/]bucket/key[?versionId=...]</c>, URL-encoded), authorizes reading
    /// it and checks the <c>x-amz-copy-source-if-*</c> conditions (412 when one fails).
    /// </summary>
    public static async Task<(BucketEntry Bucket, ObjectRecord Record)> ReadCopySourceAsync(S3Context s3)
    {
        var header = s3.Headers["x-amz-copy-source"].ToString();
        var question = header.IndexOf('?', StringComparison.Ordinal);
        string? versionId = null;
        if (question >= 0)
        {
            var query = header[(question + 1)..];
            if (query.Length > 0)
            {
                versionId = query.StartsWith("versionId=", StringComparison.Ordinal) && query.Length > "versionId=".Length
                    ? Uri.UnescapeDataString(query["versionId=".Length..])
                    : throw S3Errors.InvalidArgument("x-amz-copy-source may only carry ?versionId=<version>.");
            }

            header = header[..question];
        }

        var decoded = S3Request.Unescape(header.TrimStart('/'));
        var slash = Array.IndexOf(decoded, (byte)'/');
        if (slash <= 0 || slash == decoded.Length - 1)
        {
            throw S3Errors.InvalidArgument("x-amz-copy-source must name a bucket and a key: bucket/key.");
        }

        var bucketName = Encoding.UTF8.GetString(decoded, 0, slash);
        var key = decoded[(slash + 1)..];
        if (key.Length > S3Request.MaxKeyBytes)
        {
            throw S3Errors.KeyTooLong();
        }

        var bucket = await s3.Services.Buckets.FindAsync(bucketName, s3.Aborted).ConfigureAwait(false) ?? throw S3Errors.NoSuchBucket(bucketName);
        await s3.AuthorizeAsync(versionId is null ? "s3:GetObject" : "s3:GetObjectVersion", bucket.Arn + "/" + Encoding.UTF8.GetString(key), bucket).ConfigureAwait(false);
        var record = s3.Services.Engine.Get(bucket.Id, key, versionId) ?? throw (versionId is null ? S3Errors.NoSuchKey() : S3Errors.NoSuchVersion());
        if (record.IsDeleteMarker)
        {
            throw versionId is null ? S3Errors.NoSuchKey() : S3Errors.InvalidRequest("The source of a copy request may not specifically refer to a delete marker by version id.");
        }

        if (record.Corrupt)
        {
            throw S3Errors.ObjectCorrupt();
        }

        if (Preconditions.Evaluate(s3.Headers, record, readRequest: false, prefix: "x-amz-copy-source-") != Preconditions.Outcome.Proceed)
        {
            throw S3Errors.PreconditionFailed("x-amz-copy-source-if-none-match");
        }

        return (bucket, record);
    }

    /// <summary>Conditional writes: <c>If-None-Match: *</c> (only if absent) and <c>If-Match</c> (only if the current ETag matches).</summary>
    private static Task CheckWritePreconditionsAsync(S3Context s3, BucketEntry bucket)
    {
        var ifNoneMatch = s3.Headers.IfNoneMatch.ToString();
        var ifMatch = s3.Headers.IfMatch.ToString();
        if (ifNoneMatch.Length == 0 && ifMatch.Length == 0)
        {
            return Task.CompletedTask;
        }

        var current = s3.Services.Engine.Get(bucket.Id, s3.KeyBytes) is { IsDeleteMarker: false } live ? live : null;
        if (ifNoneMatch.Length > 0 && current is not null && Preconditions.Matches(ifNoneMatch, current.ETag))
        {
            throw S3Errors.PreconditionFailed("If-None-Match");
        }

        if (ifMatch.Length > 0 && (current is null ? throw S3Errors.NoSuchKey() : !Preconditions.Matches(ifMatch, current.ETag)))
        {
            throw S3Errors.PreconditionFailed("If-Match");
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// The version a GET, HEAD or tagging request addresses: <c>?versionId</c>, else the current one.
    /// <c>NoSuchKey</c> / <c>NoSuchVersion</c> when absent; a delete marker answers 404 (current) or 405 (by version id).
    /// </summary>
    public static ObjectRecord Find(S3Context s3, string bucketId, string? versionId)
    {
        var record = s3.Services.Engine.Get(bucketId, s3.KeyBytes, versionId) ?? throw (versionId is null ? S3Errors.NoSuchKey() : S3Errors.NoSuchVersion());
        return record.IsDeleteMarker ? throw S3Errors.DeleteMarker(record.VersionId, versionId is not null) : record;
    }

    /// <summary><c>x-amz-version-id</c> for buckets that have had versioning configured.</summary>
    public static void WriteVersionId(S3Context s3, BucketEntry bucket, string versionId)
    {
        if (bucket.Versioning != VersioningState.Unversioned)
        {
            s3.Response.Headers["x-amz-version-id"] = versionId;
        }
    }

    /// <summary>The checksum of part <c>?partNumber=N</c> of a multipart object, as uploaded; null when none was recorded.</summary>
    private static ObjectChecksum? PartChecksum(S3Context s3, string bucketId, ObjectRecord record)
    {
        var number = int.Parse(s3.Request.Query("partNumber")!, NumberStyles.None, CultureInfo.InvariantCulture);
        var checksums = s3.Services.Engine.Reader.GetPartChecksums(bucketId, s3.KeyBytes, record.VersionId);
        return checksums is not null && number <= checksums.Length && checksums[number - 1] is { } part
            ? part with { Type = ChecksumType.FullObject }
            : null;
    }

    /// <summary>The byte range of <c>?partNumber=N</c> (GET/HEAD of one part of a multipart object).</summary>
    private static (long Start, long Length)? PartRange(S3Context s3, ObjectRecord record)
    {
        var value = s3.Request.Query("partNumber");
        if (value is null)
        {
            return null;
        }

        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1 || number > Math.Max(1, record.Segments.Length))
        {
            throw S3Errors.InvalidRange(record.Size);
        }

        long start = 0;
        for (var i = 0; i < number - 1; i++)
        {
            start += record.Segments[i].Length;
        }

        s3.Response.Headers["x-amz-mp-parts-count"] = Math.Max(1, record.PartCount).ToString(CultureInfo.InvariantCulture);
        return (start, record.Segments[number - 1].Length);
    }
}
