using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Nimbus.Contracts.Checksums;
using Nimbus.Contracts.Signing;
using Nimbus.Storage.Engine;

namespace Nimbus.Storage.S3;

/// <summary>Object metadata in and out of HTTP headers.</summary>
internal static class ObjectHeaders
{
    public const string DefaultContentType = "binary/octet-stream";
    private const string MetaPrefix = "x-amz-meta-";
    private const int MaxUserMetadataBytes = 2048;

    /// <summary>The metadata a PUT, a copy with REPLACE or a multipart create sets.</summary>
    public static ObjectMeta FromRequest(IHeaderDictionary headers)
    {
        SortedDictionary<string, string>? user = null;
        var userBytes = 0;
        foreach (var (name, values) in headers)
        {
            if (name.Length > MetaPrefix.Length && name.StartsWith(MetaPrefix, StringComparison.OrdinalIgnoreCase))
            {
                var key = name[MetaPrefix.Length..].ToLowerInvariant();
                var value = values.ToString();
                userBytes += Encoding.UTF8.GetByteCount(key) + Encoding.UTF8.GetByteCount(value);
                (user ??= new SortedDictionary<string, string>(StringComparer.Ordinal))[key] = value;
            }
        }

        if (userBytes > MaxUserMetadataBytes)
        {
            throw new Core.Errors.NimbusException("MetadataTooLarge", 400, $"Your metadata headers exceed the maximum allowed metadata size of {MaxUserMetadataBytes} bytes.");
        }

        return new ObjectMeta
        {
            ContentType = NullIfEmpty(headers.ContentType.ToString()) ?? DefaultContentType,
            ContentEncoding = AwsChunkedPayload.StripContentEncoding(headers.ContentEncoding.ToString()),
            ContentDisposition = NullIfEmpty(headers.ContentDisposition.ToString()),
            ContentLanguage = NullIfEmpty(headers.ContentLanguage.ToString()),
            CacheControl = NullIfEmpty(headers.CacheControl.ToString()),
            Expires = NullIfEmpty(headers.Expires.ToString()),
            User = user,
            Tags = ParseTagging(headers["x-amz-tagging"].ToString()),
        };
    }

    /// <summary>Writes the representation headers of an object (GET, HEAD), with the <c>response-*</c> overrides of the query.</summary>
    public static void Write(HttpResponse response, ObjectRecord record, S3Request request)
    {
        var headers = response.Headers;
        headers.ETag = record.ETag;
        headers.LastModified = HttpDates.Format(record.LastModified);
        headers.AcceptRanges = "bytes";
        var meta = record.Meta;
        headers.ContentType = request.Query("response-content-type") ?? meta.ContentType ?? DefaultContentType;
        Set(headers, "Content-Encoding", request.Query("response-content-encoding") ?? meta.ContentEncoding);
        Set(headers, "Content-Disposition", request.Query("response-content-disposition") ?? meta.ContentDisposition);
        Set(headers, "Content-Language", request.Query("response-content-language") ?? meta.ContentLanguage);
        Set(headers, "Cache-Control", request.Query("response-cache-control") ?? meta.CacheControl);
        Set(headers, "Expires", request.Query("response-expires") ?? meta.Expires);
        foreach (var (name, value) in meta.User ?? [])
        {
            headers[MetaPrefix + name] = value;
        }

        if (meta.Tags is { Count: > 0 } tags)
        {
            headers["x-amz-tagging-count"] = tags.Count.ToString(CultureInfo.InvariantCulture);
        }

        if (record.PartCount > 0)
        {
            headers["x-amz-mp-parts-count"] = record.PartCount.ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary>The stored checksum as S3 answers it: <c>x-amz-checksum-&lt;algorithm&gt;</c> and <c>x-amz-checksum-type</c>.</summary>
    public static void WriteChecksum(HttpResponse response, ObjectChecksum? checksum)
    {
        if (checksum is { } c)
        {
            response.Headers[c.HeaderName] = c.Value;
            response.Headers[ChecksumAlgorithms.TypeHeader] = c.TypeName;
        }
    }

    /// <summary>True when a GET or HEAD asks for the stored checksum (<c>x-amz-checksum-mode: ENABLED</c>).</summary>
    public static bool ChecksumModeEnabled(IHeaderDictionary headers) =>
        string.Equals(headers["x-amz-checksum-mode"].ToString(), "ENABLED", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The checksum algorithm and type a multipart upload declares (<c>x-amz-checksum-algorithm</c>,
    /// <c>x-amz-checksum-type</c>); null when none. <c>InvalidRequest</c> for an unknown or unsupported pair.
    /// </summary>
    public static ObjectChecksum? DeclaredChecksum(IHeaderDictionary headers)
    {
        var algorithmText = headers[ChecksumAlgorithms.AlgorithmHeader].ToString();
        var typeText = headers[ChecksumAlgorithms.TypeHeader].ToString();
        if (algorithmText.Length == 0)
        {
            return typeText.Length == 0 ? null : throw S3Errors.InvalidRequest("x-amz-checksum-type needs x-amz-checksum-algorithm.");
        }

        if (!ChecksumAlgorithms.TryParse(algorithmText, out var algorithm))
        {
            throw S3Errors.InvalidRequest("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]");
        }

        var type = ChecksumAlgorithms.GetDefaultType(algorithm);
        if (typeText.Length > 0 && !ChecksumAlgorithms.TryParseType(typeText, out type))
        {
            throw S3Errors.InvalidRequest("Value for x-amz-checksum-type header is invalid: COMPOSITE or FULL_OBJECT.");
        }

        return ChecksumAlgorithms.Supports(algorithm, type)
            ? new ObjectChecksum(algorithm, type, "")
            : throw S3Errors.InvalidRequest($"The {ChecksumAlgorithms.GetName(type)} checksum type cannot be used with the {ChecksumAlgorithms.GetName(algorithm)} checksum algorithm.");
    }

    /// <summary>Tags of <c>x-amz-tagging</c> (<c>k1=v1&amp;k2=v2</c>, URL-encoded); null when absent.</summary>
    public static SortedDictionary<string, string>? ParseTagging(string header)
    {
        if (header.Length == 0)
        {
            return null;
        }

        var tags = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in header.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString((eq < 0 ? pair : pair[..eq]).Replace('+', ' '));
            var value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
            if (key.Length is 0 or > 128 || value.Length > 256)
            {
                throw S3Errors.InvalidTag("Tag keys are 1 to 128 characters and values at most 256.");
            }

            if (!tags.TryAdd(key, value))
            {
                throw S3Errors.InvalidTag($"Cannot provide multiple tags with the same key '{key}'.");
            }
        }

        return tags.Count > 10 ? throw S3Errors.InvalidTag("Object tags cannot be greater than 10.") : tags;
    }

    private static void Set(IHeaderDictionary headers, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            headers[name] = value;
        }
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
