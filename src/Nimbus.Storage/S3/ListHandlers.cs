using System.Globalization;
using System.Text;
using Nimbus.Storage.Engine;

namespace Nimbus.Storage.S3;

/// <summary>ListObjectsV2 and ListObjects (v1): index range scans in UTF-8 byte order, skipping whole common prefixes.</summary>
internal static class ListHandlers
{
    private const int MaxKeys = 1000;

    public static async Task ListObjectsV2Async(S3Context s3)
    {
        var r = s3.Request;
        var bucket = await s3.BucketAsync().ConfigureAwait(false);
        var prefix = r.Query("prefix") ?? "";
        var delimiter = r.Query("delimiter") ?? "";
        var maxKeys = MaxKeysOf(r.Query("max-keys"));
        await s3.AuthorizeAsync("s3:ListBucket", bucket.Arn, bucket, Keys(prefix, delimiter, maxKeys)).ConfigureAwait(false);
        var token = r.Query("continuation-token");
        var startAfter = r.Query("start-after") ?? "";
        byte[] lower;
        if (token is not null)
        {
            lower = DecodeToken(token);
        }
        else
        {
            lower = startAfter.Length > 0 ? Successor(Encoding.UTF8.GetBytes(startAfter)) : [];
        }

        var page = Scan(s3.Services.Engine.Reader, bucket.Id, Encoding.UTF8.GetBytes(prefix), Encoding.UTF8.GetBytes(delimiter), lower, maxKeys);
        var url = UrlEncoding(r);
        var fetchOwner = r.Query("fetch-owner") == "true";
        using var xml = new S3Xml("ListBucketResult");
        xml.Element("Name", bucket.Name).Element("Prefix", Encode(prefix, url)).Element("KeyCount", page.Objects.Count + page.Prefixes.Count)
            .Element("MaxKeys", maxKeys).Element("IsTruncated", page.NextLower is not null);
        if (delimiter.Length > 0)
        {
            xml.Element("Delimiter", Encode(delimiter, url));
        }

        if (token is not null)
        {
            xml.Element("ContinuationToken", token);
        }

        if (startAfter.Length > 0)
        {
            xml.Element("StartAfter", Encode(startAfter, url));
        }

        if (page.NextLower is not null)
        {
            xml.Element("NextContinuationToken", EncodeToken(page.NextLower));
        }

        if (url)
        {
            xml.Element("EncodingType", "url");
        }

        WriteEntries(xml, page, url, fetchOwner ? bucket.Account : null);
        await xml.SendAsync(s3.Response).ConfigureAwait(false);
    }

    public static async Task ListObjectsV1Async(S3Context s3)
    {
        var r = s3.Request;
        var bucket = await s3.BucketAsync().ConfigureAwait(false);
        var prefix = r.Query("prefix") ?? "";
        var delimiter = r.Query("delimiter") ?? "";
        var maxKeys = MaxKeysOf(r.Query("max-keys"));
        await s3.AuthorizeAsync("s3:ListBucket", bucket.Arn, bucket, Keys(prefix, delimiter, maxKeys)).ConfigureAwait(false);
        var marker = r.Query("marker") ?? "";
        var prefixBytes = Encoding.UTF8.GetBytes(prefix);
        var delimiterBytes = Encoding.UTF8.GetBytes(delimiter);
        byte[] lower = [];
        if (marker.Length > 0)
        {
            var markerBytes = Encoding.UTF8.GetBytes(marker);

            // A NextMarker may be a common prefix: continue after everything under it, not inside it.
            lower = RollUp(markerBytes, prefixBytes, delimiterBytes) is { } rolled ? PrefixEnd(rolled) ?? [0xFF, 0xFF, 0xFF, 0xFF] : Successor(markerBytes);
        }

        var page = Scan(s3.Services.Engine.Reader, bucket.Id, prefixBytes, delimiterBytes, lower, maxKeys);
        var url = UrlEncoding(r);
        using var xml = new S3Xml("ListBucketResult");
        xml.Element("Name", bucket.Name).Element("Prefix", Encode(prefix, url)).Element("Marker", Encode(marker, url))
            .Element("MaxKeys", maxKeys).Element("IsTruncated", page.NextLower is not null);
        if (delimiter.Length > 0)
        {
            xml.Element("Delimiter", Encode(delimiter, url));
            if (page.NextLower is not null && page.LastReturned is not null)
            {
                xml.Element("NextMarker", Encode(page.LastReturned, url));
            }
        }

        if (url)
        {
            xml.Element("EncodingType", "url");
        }

        WriteEntries(xml, page, url, bucket.Account);
        await xml.SendAsync(s3.Response).ConfigureAwait(false);
    }

    /// <summary>
    /// One page: objects and common prefixes merged in key order, at most <paramref name="maxKeys"/> entries.
    /// Each common prefix costs one seek past all its keys, so a page never reads more than it returns
    /// plus one row per prefix.
    /// </summary>
    internal static ListPage Scan(IndexReader reader, string bucket, byte[] prefix, byte[] delimiter, byte[] lower, int maxKeys)
    {
        var page = new ListPage();
        var upper = prefix.Length == 0 ? null : PrefixEnd(prefix);
        if (Compare(lower, prefix) < 0)
        {
            lower = prefix;
        }

        if (maxKeys == 0)
        {
            return page;
        }

        while (true)
        {
            var want = maxKeys - page.Count + 1;
            var rows = reader.ListObjects(bucket, lower, upper, Math.Min(want, MaxKeys + 1));
            if (rows.Count == 0)
            {
                return page;
            }

            var jumped = false;
            foreach (var row in rows)
            {
                var common = delimiter.Length == 0 ? null : RollUp(row.Key, prefix, delimiter);
                if (page.Count == maxKeys)
                {
                    page.NextLower = lower;
                    return page;
                }

                if (common is not null)
                {
                    var text = Encoding.UTF8.GetString(common);
                    page.Prefixes.Add(text);
                    page.LastReturned = text;
                    var next = PrefixEnd(common);
                    if (next is null)
                    {
                        return page;
                    }

                    lower = next;
                    jumped = true;
                    break;
                }

                page.Objects.Add(row);
                page.LastReturned = Encoding.UTF8.GetString(row.Key);
                lower = Successor(row.Key);
            }

            if (!jumped && rows.Count < Math.Min(want, MaxKeys + 1))
            {
                return page;
            }
        }
    }

    /// <summary>The common prefix a key rolls up into: its bytes up to and including the first delimiter after the prefix; null when none.</summary>
    internal static byte[]? RollUp(byte[] key, byte[] prefix, byte[] delimiter)
    {
        if (delimiter.Length == 0 || key.Length < prefix.Length || !key.AsSpan().StartsWith(prefix))
        {
            return null;
        }

        var at = key.AsSpan(prefix.Length).IndexOf(delimiter);
        return at < 0 ? null : key[..(prefix.Length + at + delimiter.Length)];
    }

    /// <summary>The smallest key after <paramref name="key"/>: the key with a zero byte appended.</summary>
    internal static byte[] Successor(byte[] key)
    {
        var next = new byte[key.Length + 1];
        key.CopyTo(next, 0);
        return next;
    }

    /// <summary>The smallest byte string greater than every string starting with <paramref name="prefix"/>; null when there is none.</summary>
    internal static byte[]? PrefixEnd(byte[] prefix)
    {
        var end = (byte[])prefix.Clone();
        for (var i = end.Length - 1; i >= 0; i--)
        {
            if (end[i] != 0xFF)
            {
                end[i]++;
                return end[..(i + 1)];
            }
        }

        return null;
    }

    internal static int Compare(byte[] a, byte[] b) => a.AsSpan().SequenceCompareTo(b);

    internal static string EncodeToken(byte[] lower) => Convert.ToBase64String(lower).Replace('+', '-').Replace('/', '_').TrimEnd('=');

    internal static byte[] DecodeToken(string token)
    {
        var base64 = token.Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
        try
        {
            return Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            throw S3Errors.InvalidArgument("The continuation token provided is incorrect.");
        }
    }

    /// <summary>S3's <c>encoding-type=url</c>: every byte but unreserved characters and <c>/</c> percent-encoded.</summary>
    internal static string Encode(string value, bool url)
    {
        if (!url)
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 8);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~' or (byte)'/')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    internal static int MaxKeysOf(string? value)
    {
        if (value is null)
        {
            return MaxKeys;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var max) ? Math.Min(max, MaxKeys) : throw S3Errors.InvalidArgument("max-keys must be a non-negative whole number.");
    }

    internal static bool UrlEncoding(S3Request r) => r.Query("encoding-type") is { } type
        ? type == "url" ? true : throw S3Errors.InvalidArgument("Invalid Encoding Method specified in Request: only 'url' is supported.")
        : false;

    internal static Dictionary<string, IReadOnlyList<string>> Keys(string prefix, string delimiter, int maxKeys) => new(StringComparer.Ordinal)
    {
        ["s3:prefix"] = [prefix],
        ["s3:delimiter"] = [delimiter],
        ["s3:max-keys"] = [maxKeys.ToString(CultureInfo.InvariantCulture)],
    };

    private static void WriteEntries(S3Xml xml, ListPage page, bool url, string? owner)
    {
        foreach (var o in page.Objects)
        {
            xml.Start("Contents").Element("Key", Encode(Encoding.UTF8.GetString(o.Key), url)).Element("LastModified", o.LastModified)
                .Element("ETag", o.ETag).Element("Size", o.Size);
            if (owner is not null)
            {
                xml.Start("Owner").Element("ID", owner).Element("DisplayName", owner).End();
            }

            xml.Element("StorageClass", "STANDARD").End();
        }

        foreach (var p in page.Prefixes)
        {
            xml.Start("CommonPrefixes").Element("Prefix", Encode(p, url)).End();
        }
    }

    internal sealed class ListPage
    {
        public List<ListedObject> Objects { get; } = [];

        public List<string> Prefixes { get; } = [];

        public int Count => Objects.Count + Prefixes.Count;

        /// <summary>Where the next page starts (inclusive), when this one is truncated.</summary>
        public byte[]? NextLower { get; set; }

        public string? LastReturned { get; set; }
    }
}
