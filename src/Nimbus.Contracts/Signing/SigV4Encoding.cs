using System.Buffers;
using System.Text;

namespace Nimbus.Contracts.Signing;

/// <summary>URI encoding as SigV4 defines it: RFC 3986 unreserved characters stay, every other UTF-8 byte becomes <c>%XX</c> (uppercase).</summary>
internal static class SigV4Encoding
{
    public static bool IsUnreserved(int c) =>
        (uint)(c - 'A') <= 'Z' - 'A'
        || (uint)(c - 'a') <= 'z' - 'a'
        || (uint)(c - '0') <= '9' - '0'
        || c is '-' or '.' or '_' or '~';

    /// <summary>RFC 3986 sub-delims: legal unencoded in a path segment.</summary>
    public static bool IsSubDelimiter(int c) => c is '!' or '$' or '&' or '\'' or '(' or ')' or '*' or '+' or ',' or ';' or '=';

    /// <summary>
    /// Encodes every character of a path segment as received that is not unreserved, including <c>%</c>:
    /// this is the spec's "encode twice". Sub-delims that arrive unencoded stay as they are: the AWS SDK
    /// for .NET sends them raw and signs them raw, and SDKs that follow the spec strictly (botocore, Go,
    /// JavaScript) never send them raw, so keeping them is compatible with both.
    /// </summary>
    public static void AppendEncodedPathSegment(ref ValueByteBuilder builder, ReadOnlySpan<char> text)
    {
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (c < 0x80)
            {
                if (IsUnreserved(c) || IsSubDelimiter(c))
                {
                    builder.Append((byte)c);
                }
                else
                {
                    builder.AppendPercentEncoded((byte)c);
                }

                i++;
                continue;
            }

            i += AppendEncodedRune(ref builder, text[i..]);
        }
    }

    /// <summary>
    /// Brings a query name or value as received (maybe percent-encoded, maybe not) to the canonical
    /// single encoding: a valid <c>%XX</c> is decoded and re-emitted (unreserved bytes as themselves,
    /// others as uppercase <c>%XX</c>, so an encoded <c>/</c> stays <c>%2F</c>); every other character
    /// is encoded.
    /// </summary>
    public static void AppendNormalized(ref ValueByteBuilder builder, ReadOnlySpan<char> text)
    {
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (c == '%' && i + 2 < text.Length && IsHex(text[i + 1]) && IsHex(text[i + 2]))
            {
                int value = (HexValue(text[i + 1]) << 4) | HexValue(text[i + 2]);
                if (IsUnreserved(value))
                {
                    builder.Append((byte)value);
                }
                else
                {
                    builder.AppendPercentEncoded((byte)value);
                }

                i += 3;
                continue;
            }

            if (c < 0x80)
            {
                if (IsUnreserved(c))
                {
                    builder.Append((byte)c);
                }
                else
                {
                    builder.AppendPercentEncoded((byte)c);
                }

                i++;
                continue;
            }

            i += AppendEncodedRune(ref builder, text[i..]);
        }
    }

    /// <summary>Canonical URI of a path as received.</summary>
    public static void AppendCanonicalUri(ref ValueByteBuilder builder, ReadOnlySpan<char> rawPath, SigV4PathStyle style)
    {
        if (rawPath.IsEmpty)
        {
            builder.Append((byte)'/');
            return;
        }

        switch (style)
        {
            case SigV4PathStyle.S3:
                if (rawPath[0] != '/')
                {
                    builder.Append((byte)'/');
                }

                AppendS3Path(ref builder, rawPath);
                break;
            case SigV4PathStyle.DoubleEncoded:
                if (rawPath[0] != '/')
                {
                    builder.Append((byte)'/');
                }

                foreach (Range segment in rawPath.Split('/'))
                {
                    if (segment.Start.Value > 0)
                    {
                        builder.Append((byte)'/');
                    }

                    AppendEncodedPathSegment(ref builder, rawPath[segment]);
                }

                break;
            default:
                AppendNormalizedPath(ref builder, rawPath);
                break;
        }
    }

    /// <summary>True when normalization changes <paramref name="rawPath"/>: it has an empty, "." or ".." segment.</summary>
    public static bool NeedsNormalization(ReadOnlySpan<char> rawPath) =>
        rawPath.Contains("//", StringComparison.Ordinal)
        || rawPath.Contains("/./", StringComparison.Ordinal)
        || rawPath.Contains("/../", StringComparison.Ordinal)
        || rawPath.EndsWith("/.", StringComparison.Ordinal)
        || rawPath.EndsWith("/..", StringComparison.Ordinal);

    public static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    /// <summary>
    /// S3 signs the path as sent (AWS SDKs put on the wire exactly the encoding they sign), so only what
    /// cannot appear unencoded in a path (RFC 3986 pchar) is encoded: spaces, non-ASCII, quotes and the like.
    /// </summary>
    private static void AppendS3Path(ref ValueByteBuilder builder, ReadOnlySpan<char> rawPath)
    {
        int i = 0;
        while (i < rawPath.Length)
        {
            char c = rawPath[i];
            if (c < 0x80)
            {
                if (IsUnreserved(c) || IsSubDelimiter(c) || c is '/' or '%' or ':' or '@')
                {
                    builder.Append((byte)c);
                }
                else
                {
                    builder.AppendPercentEncoded((byte)c);
                }

                i++;
                continue;
            }

            i += AppendEncodedRune(ref builder, rawPath[i..]);
        }
    }

    private static int AppendEncodedRune(ref ValueByteBuilder builder, ReadOnlySpan<char> text)
    {
        // Unpaired surrogates become U+FFFD, as every UTF-8 encoder a client may use does.
        Rune.DecodeFromUtf16(text, out Rune rune, out int consumed);
        Span<byte> utf8 = stackalloc byte[4];
        int written = rune.EncodeToUtf8(utf8);
        for (int j = 0; j < written; j++)
        {
            builder.AppendPercentEncoded(utf8[j]);
        }

        return consumed;
    }

    /// <summary>
    /// RFC 3986 §5.2.4 dot-segment removal plus collapsing empty segments (<c>//</c>), as the
    /// SigV4 suite's normalize-path cases require; a trailing slash survives unless the result is the root.
    /// </summary>
    private static void AppendNormalizedPath(ref ValueByteBuilder builder, ReadOnlySpan<char> rawPath)
    {
        int maxSegments = rawPath.Count('/') + 1;
        (int Start, int Length)[]? rented = null;
        Span<(int Start, int Length)> segments = maxSegments <= 64
            ? stackalloc (int, int)[64]
            : (rented = ArrayPool<(int, int)>.Shared.Rent(maxSegments));
        try
        {
            int count = 0;
            int position = 0;
            while (position <= rawPath.Length)
            {
                int slash = rawPath[position..].IndexOf('/');
                int end = slash < 0 ? rawPath.Length : position + slash;
                ReadOnlySpan<char> segment = rawPath[position..end];
                if (segment.Length == 0 || segment is ".")
                {
                    // Empty segments ("//") and "." vanish.
                }
                else if (segment is "..")
                {
                    if (count > 0)
                    {
                        count--;
                    }
                }
                else
                {
                    segments[count++] = (position, segment.Length);
                }

                if (slash < 0)
                {
                    break;
                }

                position = end + 1;
            }

            builder.Append((byte)'/');
            for (int s = 0; s < count; s++)
            {
                if (s > 0)
                {
                    builder.Append((byte)'/');
                }

                AppendEncodedPathSegment(ref builder, rawPath.Slice(segments[s].Start, segments[s].Length));
            }

            if (count > 0 && rawPath[^1] == '/')
            {
                builder.Append((byte)'/');
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<(int, int)>.Shared.Return(rented);
            }
        }
    }
}
