using System.Globalization;
using Microsoft.AspNetCore.Http;
using Nimbus.Storage.Engine;

namespace Nimbus.Storage.S3;

/// <summary>Conditional requests (RFC 9110 §13.2.2 order) and byte ranges (RFC 9110 §14).</summary>
internal static class Preconditions
{
    public enum Outcome
    {
        Proceed,
        NotModified,
    }

    /// <summary>
    /// Evaluates If-Match, If-Unmodified-Since, If-None-Match and If-Modified-Since against the object, in
    /// RFC 9110's order: a failed If-Match (or, without it, If-Unmodified-Since) is 412; a matching
    /// If-None-Match (or, without it, an unmodified If-Modified-Since) is 304 for GET/HEAD and 412 otherwise.
    /// </summary>
    public static Outcome Evaluate(IHeaderDictionary headers, ObjectRecord record, bool readRequest, string prefix = "")
    {
        var ifMatch = headers[prefix + "If-Match"].ToString();
        if (ifMatch.Length > 0)
        {
            if (!Matches(ifMatch, record.ETag))
            {
                throw S3Errors.PreconditionFailed(prefix + "If-Match");
            }
        }
        else if (Date(headers[prefix + "If-Unmodified-Since"].ToString()) is { } unmodifiedSince && record.LastModified > unmodifiedSince)
        {
            throw S3Errors.PreconditionFailed(prefix + "If-Unmodified-Since");
        }

        var ifNoneMatch = headers[prefix + "If-None-Match"].ToString();
        if (ifNoneMatch.Length > 0)
        {
            if (Matches(ifNoneMatch, record.ETag))
            {
                return readRequest ? Outcome.NotModified : throw S3Errors.PreconditionFailed(prefix + "If-None-Match");
            }
        }
        else if (Date(headers[prefix + "If-Modified-Since"].ToString()) is { } modifiedSince && record.LastModified <= modifiedSince)
        {
            return readRequest ? Outcome.NotModified : throw S3Errors.PreconditionFailed(prefix + "If-Modified-Since");
        }

        return Outcome.Proceed;
    }

    /// <summary>True when the comma-separated entity-tag list holds <c>*</c> or the object's tag (weak comparison).</summary>
    public static bool Matches(string list, string etag)
    {
        foreach (var raw in list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (raw == "*")
            {
                return true;
            }

            var candidate = raw.StartsWith("W/", StringComparison.Ordinal) ? raw[2..] : raw;
            if (ObjectEngine.ETagsEqual(etag, candidate))
            {
                return true;
            }
        }

        return false;
    }

    public static DateTimeOffset? Date(string value) =>
        value.Length > 0 && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date) ? date : null;

    /// <summary>
    /// The single byte range asked for: null for the whole object (no header, a syntax error, several ranges or
    /// a failed If-Range); <c>InvalidRange</c> (416) when it cannot be satisfied.
    /// </summary>
    public static (long Start, long Length)? Range(IHeaderDictionary headers, ObjectRecord record)
    {
        var header = headers.Range.ToString();
        if (header.Length == 0)
        {
            return null;
        }

        var ifRange = headers.IfRange.ToString();
        if (ifRange.Length > 0 && !(ifRange.Contains('"', StringComparison.Ordinal) ? ObjectEngine.ETagsEqual(record.ETag, ifRange) : Date(ifRange) is { } d && record.LastModified <= d))
        {
            return null;
        }

        if (!header.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase) || header.Contains(',', StringComparison.Ordinal))
        {
            return null;
        }

        var spec = header.AsSpan(6).Trim();
        var dash = spec.IndexOf('-');
        if (dash < 0)
        {
            return null;
        }

        var first = spec[..dash].Trim();
        var last = spec[(dash + 1)..].Trim();
        var size = record.Size;
        if (first.Length == 0)
        {
            if (!long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var suffix))
            {
                return null;
            }

            if (suffix == 0 || size == 0)
            {
                throw S3Errors.InvalidRange(size);
            }

            var length = Math.Min(suffix, size);
            return (size - length, length);
        }

        if (!long.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var start))
        {
            return null;
        }

        long end;
        if (last.Length == 0)
        {
            end = size - 1;
        }
        else if (!long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out end) || end < start)
        {
            return null;
        }

        if (start >= size)
        {
            throw S3Errors.InvalidRange(size);
        }

        end = Math.Min(end, size - 1);
        return (start, end - start + 1);
    }
}
