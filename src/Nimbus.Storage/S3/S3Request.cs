using System.Buffers;
using System.Text;

namespace Nimbus.Storage.S3;

/// <summary>
/// Where an S3 request points: bucket and key taken from the raw request target (never from the decoded,
/// dot-segment-normalised path, which would turn the key <c>a/../b</c> into <c>b</c>), in path style
/// (<c>/bucket/key</c>) or virtual-host style (<c>bucket.s3.localhost/key</c>), and its query parameters.
/// </summary>
internal sealed class S3Request
{
    public const int MaxKeyBytes = 1024;

    /// <summary>Printable ASCII but <c>%</c>: a value made only of these is its own bytes.</summary>
    private static readonly SearchValues<char> PlainAscii = SearchValues.Create(" !\"#$&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    /// <summary>What a host name or address needs in lower case ASCII: letters, digits, <c>-</c>, <c>.</c>, <c>:</c>, <c>_</c>.</summary>
    private static readonly SearchValues<char> LowerHostChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789-.:_");

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The query's parameters in request order, as places in <see cref="RawQuery"/>; a lookup takes the first
    /// of a repeated name and a value is decoded when asked for. A list, not a dictionary of decoded strings:
    /// a GET carries none or the six of a presigned URL, of which the handlers read none (the signature check
    /// reads the raw query), and building a hash table of twelve new strings for them was 3.5 % of a 4 KiB
    /// GET's CPU. The request line's size limit bounds the list.
    /// </summary>
    private readonly QueryEntry[] _query;

    private S3Request(string rawPath, string rawQuery, string? bucket, byte[]? key, string? keyText, QueryEntry[] query, bool virtualHost)
    {
        RawPath = rawPath;
        RawQuery = rawQuery;
        Bucket = bucket;
        KeyBytes = key;
        Key = keyText;
        _query = query;
        VirtualHost = virtualHost;
    }

    public string RawPath { get; }

    public string RawQuery { get; }

    /// <summary>Bucket name, or null for service-level requests (ListBuckets).</summary>
    public string? Bucket { get; }

    /// <summary>The key's UTF-8 bytes, or null for bucket-level requests.</summary>
    public byte[]? KeyBytes { get; }

    public string? Key { get; }

    public bool VirtualHost { get; }

    /// <summary>The decoded resource for error bodies and the audit trail: <c>/bucket/key</c>.</summary>
    public string Resource => Bucket is null ? "/" : Key is null ? "/" + Bucket : "/" + Bucket + "/" + Key;

    public bool Has(string name) => IndexOf(name) >= 0;

    public string? Query(string name)
    {
        var i = IndexOf(name);
        if (i < 0)
        {
            return null;
        }

        var entry = _query[i];
        return entry.ValueLength < 0 ? "" : Decode(RawQuery.AsSpan(entry.ValueStart, entry.ValueLength));
    }

    /// <summary>Parses the target; throws S3 errors for a key too long or not UTF-8, or a malformed escape.</summary>
    public static S3Request Parse(string rawTarget, string? host, string domain)
    {
        var question = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var rawPath = question < 0 ? rawTarget : rawTarget[..question];
        var rawQuery = question < 0 ? "" : rawTarget[(question + 1)..];
        if (rawPath.Length == 0 || rawPath[0] != '/')
        {
            throw S3Errors.InvalidRequest("The request target must be an absolute path.");
        }

        var query = ParseQuery(rawQuery);
        var hostBucket = BucketFromHost(host, domain);
        string? bucket;
        string? rawKey;
        if (hostBucket is not null)
        {
            bucket = hostBucket;
            rawKey = rawPath.Length > 1 ? rawPath[1..] : null;
        }
        else
        {
            var slash = rawPath.IndexOf('/', 1);
            var rawBucket = slash < 0 ? rawPath[1..] : rawPath[1..slash];
            bucket = rawBucket.Length == 0 ? null : Decode(rawBucket);
            rawKey = slash < 0 || slash == rawPath.Length - 1 ? null : rawPath[(slash + 1)..];
        }

        byte[]? key = null;
        string? keyText = null;
        if (rawKey is not null && rawKey.Length <= MaxKeyBytes && !rawKey.AsSpan().ContainsAnyExcept(PlainAscii))
        {
            // Plain ASCII: the raw key is its own text and its bytes are its chars, no decoding to do.
            key = new byte[rawKey.Length];
            Encoding.ASCII.GetBytes(rawKey, key);
            keyText = rawKey;
        }
        else if (rawKey is not null)
        {
            key = Unescape(rawKey);
            if (key.Length > MaxKeyBytes)
            {
                throw S3Errors.KeyTooLong();
            }

            try
            {
                keyText = StrictUtf8.GetString(key);
            }
            catch (DecoderFallbackException)
            {
                throw S3Errors.InvalidArgument("Object keys must be valid UTF-8.");
            }
        }

        return new S3Request(rawPath, rawQuery, bucket, key, keyText, query, hostBucket is not null);
    }

    /// <summary>Percent-decodes to bytes, exactly: <c>+</c> stays <c>+</c> (paths are not form-encoded).</summary>
    public static byte[] Unescape(ReadOnlySpan<char> value)
    {
        // Most names and query values are plain ASCII (empty ones too: `prefix=` from awscli).
        if (!value.ContainsAnyExcept(PlainAscii))
        {
            var bytes = new byte[value.Length];
            Encoding.ASCII.GetBytes(value, bytes);
            return bytes;
        }

        var buffer = new ArrayBufferWriter<byte>(value.Length);
        Span<byte> one = stackalloc byte[4];
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '%')
            {
                if (i + 2 >= value.Length || !char.IsAsciiHexDigit(value[i + 1]) || !char.IsAsciiHexDigit(value[i + 2]))
                {
                    throw S3Errors.InvalidArgument("The request target has a malformed percent-encoding.");
                }

                buffer.Write([(byte)((HexValue(value[i + 1]) << 4) | HexValue(value[i + 2]))]);
                i += 2;
            }
            else if (c < 0x80)
            {
                buffer.Write([(byte)c]);
            }
            else
            {
                var count = Encoding.UTF8.GetBytes(value.Slice(i, char.IsHighSurrogate(c) && i + 1 < value.Length ? 2 : 1), one);
                buffer.Write(one[..count]);
                if (char.IsHighSurrogate(c))
                {
                    i++;
                }
            }
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private int IndexOf(string name)
    {
        var query = _query;
        var raw = RawQuery.AsSpan();
        for (var i = 0; i < query.Length; i++)
        {
            var entry = query[i];
            if (entry.DecodedName is { } decoded
                ? string.Equals(decoded, name, StringComparison.Ordinal)
                : raw.Slice(entry.NameStart, entry.NameLength).SequenceEqual(name))
            {
                return i;
            }
        }

        return -1;
    }

    private static QueryEntry[] ParseQuery(string rawQuery)
    {
        if (rawQuery.Length == 0)
        {
            return [];
        }

        var query = new QueryEntry[rawQuery.AsSpan().Count('&') + 1];
        var n = 0;
        var start = 0;
        while (start <= rawQuery.Length)
        {
            var amp = rawQuery.IndexOf('&', start);
            var end = amp < 0 ? rawQuery.Length : amp;
            if (end > start)
            {
                var part = rawQuery.AsSpan(start, end - start);
                var eq = part.IndexOf('=');
                var name = eq < 0 ? part : part[..eq];

                // A name with escapes or non-ASCII is decoded now (it is compared as text); a plain one is its own text.
                var decoded = name.ContainsAnyExcept(PlainAscii) ? Encoding.UTF8.GetString(Unescape(name)) : null;
                if (eq >= 0)
                {
                    // A malformed escape is refused whether or not a handler reads the value, as when values were decoded here.
                    CheckEscapes(part[(eq + 1)..]);
                }

                query[n++] = eq < 0
                    ? new QueryEntry(start, name.Length, 0, -1, decoded)
                    : new QueryEntry(start, eq, start + eq + 1, part.Length - eq - 1, decoded);
            }

            start = end + 1;
        }

        return n == query.Length ? query : query[..n];
    }

    private static void CheckEscapes(ReadOnlySpan<char> value)
    {
        for (var i = value.IndexOf('%'); i >= 0; i = value.IndexOf('%'))
        {
            if (i + 2 >= value.Length || !char.IsAsciiHexDigit(value[i + 1]) || !char.IsAsciiHexDigit(value[i + 2]))
            {
                throw S3Errors.InvalidArgument("The request target has a malformed percent-encoding.");
            }

            value = value[(i + 3)..];
        }
    }

    /// <summary>Percent-decodes to text (invalid UTF-8 becomes U+FFFD); a plain ASCII value is its own text.</summary>
    private static string Decode(ReadOnlySpan<char> value) =>
        value.ContainsAnyExcept(PlainAscii) ? Encoding.UTF8.GetString(Unescape(value)) : value.ToString();

    private static string? BucketFromHost(string? host, string domain)
    {
        if (string.IsNullOrEmpty(host))
        {
            return null;
        }

        if (host.StartsWith('['))
        {
            return null;
        }

        var name = host.AsSpan();
        var colon = name.LastIndexOf(':');
        if (colon >= 0)
        {
            name = name[..colon];
        }

        name = name.TrimEnd('.');

        // Host names compare without case. The usual host, already lower-case ASCII (an address, the domain), is
        // compared in place: no string is made for a request that names no bucket in its host.
        if (name.ContainsAnyExcept(LowerHostChars))
        {
            name = name.ToString().ToLowerInvariant();
        }

        if (name.SequenceEqual(domain))
        {
            return null;
        }

        if (name.Length > domain.Length && name.EndsWith(domain, StringComparison.Ordinal) && name[^(domain.Length + 1)] == '.')
        {
            return name[..^(domain.Length + 1)].ToString();
        }

        return name.EndsWith(".localhost", StringComparison.Ordinal) && !domain.AsSpan().EndsWith(name, StringComparison.Ordinal)
            ? name[..^".localhost".Length].ToString()
            : null;
    }

    /// <summary>One query parameter: where its name and value sit in the raw query (value length -1: no <c>=</c>), and its decoded name when it needs decoding.</summary>
    private readonly record struct QueryEntry(int NameStart, int NameLength, int ValueStart, int ValueLength, string? DecodedName);
}
