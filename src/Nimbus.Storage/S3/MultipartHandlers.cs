using System.Globalization;
using System.Text;
using Nimbus.Contracts.Checksums;
using Nimbus.Storage.Buckets;
using Nimbus.Storage.Engine;

namespace Nimbus.Storage.S3;

/// <summary>Multipart upload: create, upload part (and part copy), list parts and uploads, complete, abort.</summary>
internal static class MultipartHandlers
{
    private const int MaxParts = 10_000;

    public static async Task CreateAsync(S3Context s3)
    {
        var bucket = await s3.BucketAsync().ConfigureAwait(false);
        await s3.AuthorizeAsync("s3:PutObject", s3.ObjectArn, bucket).ConfigureAwait(false);
        S3Acl.RequireOwnerOnlyHeaders(s3);
        var meta = ObjectHeaders.FromRequest(s3.Headers);
        var declared = ObjectHeaders.DeclaredChecksum(s3.Headers);
        var upload = await s3.Services.Engine.CreateUploadAsync(bucket.Id, s3.KeyBytes, meta, s3.Caller?.Principal ?? "anonymous", declared, s3.Services.Time.GetUtcNow()).ConfigureAwait(false);
        if (declared is { } d)
        {
            s3.Response.Headers[ChecksumAlgorithms.AlgorithmHeader] = ChecksumAlgorithms.GetName(d.Algorithm);
            s3.Response.Headers[ChecksumAlgorithms.TypeHeader] = d.TypeName;
        }

        using var xml = new S3Xml("InitiateMultipartUploadResult");
        xml.Element("Bucket", bucket.Name).Element("Key", s3.Request.Key).Element("UploadId", upload.UploadId);
        await xml.SendAsync(s3.Response).ConfigureAwait(false);
    }

    public static async Task UploadPartAsync(S3Context s3)
    {
        var bucket = await s3.BucketAsync().ConfigureAwait(false);
        await s3.AuthorizeAsync("s3:PutObject", s3.ObjectArn, bucket).ConfigureAwait(false);
        var (upload, partNumber) = FindUpload(s3, bucket);
        var declared = upload.Checksum?.Algorithm;
        using var body = s3.OpenUpload(declared ?? ObjectHandlers.DefaultChecksum);
        if (declared is { } d && body.Requested is { } requested && requested.Algorithm != d)
        {
            throw S3Errors.InvalidRequest($"Checksum Type mismatch occurred, expected checksum Type: {ChecksumAlgorithms.GetName(d).ToLowerInvariant()}, actual checksum Type: {ChecksumAlgorithms.GetName(requested.Algorithm).ToLowerInvariant()}");
        }

        using var reservation = await s3.Services.Usage.ReserveAsync(bucket.Account, body.Length!.Value, s3.Aborted).ConfigureAwait(false);
        using var data = await s3.ReceiveBodyAsync(body, allowInline: false).ConfigureAwait(false);
        var part = await s3.Services.Engine.PutPartAsync(upload, bucket.Account, partNumber, data, s3.Services.Time.GetUtcNow()).ConfigureAwait(false);
        s3.Response.Headers.ETag = part.ETag;
        if (body.Requested is not null && part.Checksum is { } checksum)
        {
            s3.Response.Headers[checksum.HeaderName] = checksum.Value;
        }

        s3.Response.StatusCode = 200;
        s3.Response.ContentLength = 0;
    }

    public static async Task UploadPartCopyAsync(S3Context s3)
    {
        var bucket = await s3.BucketAsync().ConfigureAwait(false);
        await s3.AuthorizeAsync("s3:PutObject", s3.ObjectArn, bucket).ConfigureAwait(false);
        var (upload, partNumber) = FindUpload(s3, bucket);
        var (_, source) = await ObjectHandlers.ReadCopySourceAsync(s3).ConfigureAwait(false);
        s3.Action = "s3:PutObject";
        var (start, length) = CopyRange(s3.Headers["x-amz-copy-source-range"].ToString(), source.Size);
        if (length > s3.Services.Options.MaxObjectSize)
        {
            throw S3Errors.EntityTooLarge(s3.Services.Options.MaxObjectSize);
        }

        using var reservation = await s3.Services.Usage.ReserveAsync(bucket.Account, length, s3.Aborted).ConfigureAwait(false);
        using var data = await s3.Services.Engine.CopyAsync(source, start, length, upload.Checksum?.Algorithm ?? ObjectHandlers.DefaultChecksum, allowInline: false, s3.Aborted).ConfigureAwait(false);
        var part = await s3.Services.Engine.PutPartAsync(upload, bucket.Account, partNumber, data, s3.Services.Time.GetUtcNow()).ConfigureAwait(false);
        using var xml = new S3Xml("CopyPartResult");
        xml.Element("ETag", part.ETag).Element("LastModified", part.LastModified);
        if (upload.Checksum is not null && part.Checksum is { } checksum)
        {
            xml.Element(checksum.ElementName, checksum.Value);
        }
        await xml.SendAsync(s3.Response).ConfigureAwait(false);
    }

    public static async Task ListPartsAsync(S3Context s3)
    {
        var bucket = await s3.BucketAsync().ConfigureAwait(false);
        await s3.AuthorizeAsync("s3:ListMultipartUploadParts", s3.ObjectArn, bucket).ConfigureAwait(false);
        var upload = UploadOf(s3, bucket);
        var max = Int(s3.Request.Query("max-parts"), 1000, "max-parts");
        var marker = Int(s3.Request.Query("part-number-marker"), 0, "part-number-marker");
        var parts = s3.Services.Engine.Reader.ListParts(upload.UploadId, marker, Math.Min(max, 1000) + 1);
        var truncated = parts.Count > Math.Min(max, 1000);
        if (truncated)
        {
            parts.RemoveAt(parts.Count - 1);
        }

        using var xml = new S3Xml("ListPartsResult");
        xml.Element("Bucket", bucket.Name).Element("Key", s3.Request.Key).Element("UploadId", upload.UploadId)
            .Element("PartNumberMarker", marker).Element("NextPartNumberMarker", parts.Count > 0 ? parts[^1].PartNumber : marker)
            .Element("MaxParts", max).Element("IsTruncated", truncated);
        xml.Start("Initiator").Element("ID", upload.Initiator).Element("DisplayName", upload.Initiator).End();
        xml.Start("Owner").Element("ID", bucket.Account).Element("DisplayName", bucket.Account).End();
        xml.Element("StorageClass", "STANDARD");
        if (upload.Checksum is { } declared)
        {
            xml.Element("ChecksumAlgorithm", ChecksumAlgorithms.GetName(declared.Algorithm)).Element("ChecksumType", declared.TypeName);
        }

        foreach (var part in parts)
        {
            xml.Start("Part").Element("PartNumber", part.PartNumber).Element("LastModified", part.LastModified).Element("ETag", part.ETag).Element("Size", part.Size);
            if (upload.Checksum is not null && part.Checksum is { } checksum)
            {
                xml.Element(checksum.ElementName, checksum.Value);
            }

            xml.End();
        }

        await xml.SendAsync(s3.Response).ConfigureAwait(false);
    }

    public static async Task ListUploadsAsync(S3Context s3)
    {
        var r = s3.Request;
        var bucket = await s3.BucketAsync().ConfigureAwait(false);
        await s3.AuthorizeAsync("s3:ListBucketMultipartUploads", bucket.Arn, bucket).ConfigureAwait(false);
        var prefix = r.Query("prefix") ?? "";
        var delimiter = r.Query("delimiter") ?? "";
        var max = Math.Min(Int(r.Query("max-uploads"), 1000, "max-uploads"), 1000);
        var keyMarker = r.Query("key-marker") ?? "";
        var uploadIdMarker = r.Query("upload-id-marker") ?? "";
        var url = ListHandlers.UrlEncoding(r);
        var prefixBytes = Encoding.UTF8.GetBytes(prefix);
        var delimiterBytes = Encoding.UTF8.GetBytes(delimiter);
        var lower = keyMarker.Length == 0 ? prefixBytes : Encoding.UTF8.GetBytes(keyMarker);
        if (ListHandlers.Compare(lower, prefixBytes) < 0)
        {
            lower = prefixBytes;
        }

        var upper = prefixBytes.Length == 0 ? null : ListHandlers.PrefixEnd(prefixBytes);
        var uploads = new List<UploadRecord>();
        var prefixes = new List<string>();
        var truncated = false;
        string? nextKey = null, nextUploadId = null;
        while (!truncated)
        {
            var rows = s3.Services.Engine.Reader.ListUploads(bucket.Id, lower, upper, max + 1);
            if (rows.Count == 0)
            {
                break;
            }

            byte[]? jump = null;
            foreach (var row in rows)
            {
                var key = Encoding.UTF8.GetString(row.Key);
                if (keyMarker.Length > 0 && (string.CompareOrdinal(key, keyMarker) < 0
                    || (key == keyMarker && (uploadIdMarker.Length == 0 || string.CompareOrdinal(row.UploadId, uploadIdMarker) <= 0))))
                {
                    continue;
                }

                if (uploads.Count + prefixes.Count == max)
                {
                    truncated = true;
                    break;
                }

                if (ListHandlers.RollUp(row.Key, prefixBytes, delimiterBytes) is { } common)
                {
                    prefixes.Add(Encoding.UTF8.GetString(common));
                    nextKey = prefixes[^1];
                    nextUploadId = null;
                    jump = ListHandlers.PrefixEnd(common);
                    break;
                }

                uploads.Add(row);
                nextKey = key;
                nextUploadId = row.UploadId;
            }

            if (truncated)
            {
                break;
            }

            if (jump is not null)
            {
                lower = jump;
                continue;
            }

            if (rows.Count <= max)
            {
                break;
            }

            lower = ListHandlers.Successor(rows[^1].Key);
            keyMarker = "";
        }

        using var xml = new S3Xml("ListMultipartUploadsResult");
        xml.Element("Bucket", bucket.Name).Element("KeyMarker", ListHandlers.Encode(r.Query("key-marker") ?? "", url)).Element("UploadIdMarker", uploadIdMarker)
            .Element("NextKeyMarker", truncated ? ListHandlers.Encode(nextKey ?? "", url) : "").Element("NextUploadIdMarker", truncated ? nextUploadId : "")
            .Element("Prefix", ListHandlers.Encode(prefix, url)).Element("MaxUploads", max).Element("IsTruncated", truncated);
        if (delimiter.Length > 0)
        {
            xml.Element("Delimiter", ListHandlers.Encode(delimiter, url));
        }

        if (url)
        {
            xml.Element("EncodingType", "url");
        }

        foreach (var upload in uploads)
        {
            xml.Start("Upload").Element("Key", ListHandlers.Encode(Encoding.UTF8.GetString(upload.Key), url)).Element("UploadId", upload.UploadId);
            xml.Start("Initiator").Element("ID", upload.Initiator).Element("DisplayName", upload.Initiator).End();
            xml.Start("Owner").Element("ID", bucket.Account).Element("DisplayName", bucket.Account).End();
            xml.Element("StorageClass", "STANDARD").Element("Initiated", upload.Initiated).End();
        }

        foreach (var p in prefixes)
        {
            xml.Start("CommonPrefixes").Element("Prefix", ListHandlers.Encode(p, url)).End();
        }

        await xml.SendAsync(s3.Response).ConfigureAwait(false);
    }

    public static async Task CompleteAsync(S3Context s3)
    {
        var bucket = await s3.BucketAsync().ConfigureAwait(false);
        await s3.AuthorizeAsync("s3:PutObject", s3.ObjectArn, bucket).ConfigureAwait(false);
        var upload = UploadOf(s3, bucket);
        // Here x-amz-checksum-* headers carry the object's expected checksum, not the part list's.
        var body = await s3.ReadSmallBodyAsync(4 * 1024 * 1024, checksumHeadersDescribeBody: false).ConfigureAwait(false);
        var root = S3XmlInput.Parse(body, "CompleteMultipartUpload");
        var requested = new List<CompletedPart>();
        foreach (var part in root.Children("Part"))
        {
            var numberText = part.Child("PartNumber")?.Value.Trim();
            var etag = part.Child("ETag")?.Value.Trim();
            if (!int.TryParse(numberText, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > MaxParts || string.IsNullOrEmpty(etag))
            {
                throw S3Errors.MalformedXml("every Part needs a PartNumber from 1 to 10000 and an ETag.");
            }

            string? partChecksum = null;
            if (upload.Checksum is { } declared)
            {
                partChecksum = part.Child("Checksum" + ChecksumAlgorithms.GetName(declared.Algorithm))?.Value;
            }

            requested.Add(new CompletedPart(number, etag, string.IsNullOrWhiteSpace(partChecksum) ? null : partChecksum));
        }

        if (requested.Count == 0)
        {
            throw S3Errors.MalformedXml("the part list is empty.");
        }

        if (s3.Headers.IfNoneMatch.ToString() == "*" && s3.Services.Engine.Get(bucket.Id, s3.KeyBytes) is { IsDeleteMarker: false })
        {
            throw S3Errors.PreconditionFailed("If-None-Match");
        }

        // The version id is chosen before the work so that its header can leave with a keep-alive 200.
        var versionId = ObjectEngine.NewVersionId(bucket.Versioning);
        var completing = s3.Services.Engine.CompleteUploadAsync(upload, bucket.Account, requested, ExpectedObjectChecksum(s3), s3.Services.Time.GetUtcNow(), bucket.Versioning, versionId);
        await KeepAliveResponse.SendAsync(
            s3,
            completing,
            "CompleteMultipartUploadResult",
            (record, xml) =>
            {
                xml.Element("Location", "/" + bucket.Name + "/" + s3.Request.Key).Element("Bucket", bucket.Name).Element("Key", s3.Request.Key).Element("ETag", record.ETag);
                if (record.Checksum is { } checksum)
                {
                    xml.Element(checksum.ElementName, checksum.Value).Element("ChecksumType", checksum.TypeName);
                }
            },
            _ => ObjectHandlers.WriteVersionId(s3, bucket, versionId)).ConfigureAwait(false);
    }

    public static async Task AbortAsync(S3Context s3)
    {
        var bucket = await s3.BucketAsync().ConfigureAwait(false);
        await s3.AuthorizeAsync("s3:AbortMultipartUpload", s3.ObjectArn, bucket).ConfigureAwait(false);
        var upload = UploadOf(s3, bucket);
        if (!await s3.Services.Engine.AbortUploadAsync(upload, bucket.Account).ConfigureAwait(false))
        {
            throw S3Errors.NoSuchUpload();
        }

        s3.Response.StatusCode = 204;
    }

    /// <summary>The object checksum a CompleteMultipartUpload expects (an <c>x-amz-checksum-*</c> header), or null.</summary>
    private static (ChecksumAlgorithm Algorithm, string Value)? ExpectedObjectChecksum(S3Context s3)
    {
        foreach (var algorithm in ChecksumAlgorithms.All)
        {
            var value = s3.Headers[ChecksumAlgorithms.GetHeaderName(algorithm)].ToString();
            if (value.Length > 0)
            {
                return (algorithm, value.Trim());
            }
        }

        return null;
    }

    private static UploadRecord UploadOf(S3Context s3, BucketEntry bucket)
    {
        var id = s3.Request.Query("uploadId");
        var upload = string.IsNullOrEmpty(id) ? null : s3.Services.Engine.Reader.GetUpload(id);
        return upload is not null && upload.Bucket == bucket.Id && upload.Key.AsSpan().SequenceEqual(s3.KeyBytes) ? upload : throw S3Errors.NoSuchUpload();
    }

    private static (UploadRecord Upload, int PartNumber) FindUpload(S3Context s3, BucketEntry bucket)
    {
        var number = s3.Request.Query("partNumber");
        if (!int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var partNumber) || partNumber is < 1 or > MaxParts)
        {
            throw S3Errors.InvalidArgument("Part number must be an integer between 1 and 10000, inclusive.");
        }

        return (UploadOf(s3, bucket), partNumber);
    }

    private static (long Start, long Length) CopyRange(string header, long size)
    {
        if (header.Length == 0)
        {
            return (0, size);
        }

        var spec = header.StartsWith("bytes=", StringComparison.Ordinal) ? header[6..] : null;
        var dash = spec?.IndexOf('-', StringComparison.Ordinal) ?? -1;
        if (spec is null || dash <= 0
            || !long.TryParse(spec[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var first)
            || !long.TryParse(spec[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var last)
            || last < first)
        {
            throw S3Errors.InvalidArgument("The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy.");
        }

        if (last >= size)
        {
            // S3 answers a copy range past the source's end with 400 InvalidArgument, not a GET's 416 InvalidRange.
            throw S3Errors.InvalidArgument($"Range specified is not valid for source object of size: {size}");
        }

        return (first, last - first + 1);
    }

    private static int Int(string? value, int fallback, string name) =>
        value is null ? fallback
        : int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number
        : throw S3Errors.InvalidArgument($"{name} must be a non-negative whole number.");
}
