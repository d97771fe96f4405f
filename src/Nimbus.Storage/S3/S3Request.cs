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

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Dictionary<string, string> _query;

    private S3Request(string rawPath, string rawQuery, string? bucket, byte[]? key, string? keyText, Dictionary<string, string> query, bool virtualHost)
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

    public bool Has(string name) => _query.ContainsKey(name);

    public string? Query(string name) => _query.GetValueOrDefault(name);

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
            bucket = rawBucket.Length == 0 ? null : Encoding.UTF8.GetString(Unescape(rawBucket));
            rawKey = slash < 0 || slash == rawPath.Length - 1 ? null : rawPath[(slash + 1)..];
        }

        byte[]? key = null;
        string? keyText = null;
        if (rawKey is not null)
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

    private static Dictionary<string, string> ParseQuery(string rawQuery)
    {
        var query = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var name = Encoding.UTF8.GetString(Unescape(eq < 0 ? part : part.AsSpan(0, eq)));
            var value = eq < 0 ? "" : Encoding.UTF8.GetString(Unescape(part.AsSpan(eq + 1)));
            query.TryAdd(name, value);
        }

        return query;
    }

    private static string? BucketFromHost(string? host, string domain)
    {
        if (string.IsNullOrEmpty(host))
        {
            return null;
        }

        var name = host;
        if (name.StartsWith('['))
        {
            return null;
        }

        var colon = name.LastIndexOf(':');
        if (colon >= 0)
        {
            name = name[..colon];
        }

        name = name.TrimEnd('.').ToLowerInvariant();
        if (name == domain)
        {
            return null;
        }

        if (name.EndsWith("." + domain, StringComparison.Ordinal))
        {
            return name[..^(domain.Length + 1)];
        }

        if (name.EndsWith(".localhost", StringComparison.Ordinal) && !domain.EndsWith(name, StringComparison.Ordinal))
        {
            return name[..^".localhost".Length];
        }

        return null;
    }
}
