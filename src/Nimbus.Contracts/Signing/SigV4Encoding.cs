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

    /// <summary>
    /// Encodes every character of <paramref name="text"/> that is not unreserved, including <c>%</c>:
    /// applied to an already percent-encoded path this is the spec's "encode twice".
    /// </summary>
    public static void AppendEncoded(ref ValueByteBuilder builder, ReadOnlySpan<char> text, bool keepSlash)
    {
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (c < 0x80)
            {
                if (IsUnreserved(c) || (keepSlash && c == '/'))
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
    /// Brings text that may already be percent-encoded (a path or query as received) to the canonical
    /// single encoding: a valid <c>%XX</c> is decoded and re-emitted (unreserved bytes as themselves,
    /// others as uppercase <c>%XX</c>, so an encoded <c>/</c> stays <c>%2F</c>); every other character
    /// is encoded as in <see cref="AppendEncoded"/>.
    /// </summary>
    public static void AppendNormalized(ref ValueByteBuilder builder, ReadOnlySpan<char> text, bool keepSlash)
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
                if (IsUnreserved(c) || (keepSlash && c == '/'))
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

    /// <summary>Canonical URI of a path as received: normalized and encoded twice, or (S3) encoded once as is.</summary>
    public static void AppendCanonicalUri(ref ValueByteBuilder builder, ReadOnlySpan<char> rawPath, bool s3Mode)
    {
        if (rawPath.IsEmpty)
        {
            builder.Append((byte)'/');
            return;
        }

        if (s3Mode)
        {
            if (rawPath[0] != '/')
            {
                builder.Append((byte)'/');
            }

            AppendNormalized(ref builder, rawPath, keepSlash: true);
            return;
        }

        AppendNormalizedPath(ref builder, rawPath);
    }

    public static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

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

                AppendEncoded(ref builder, rawPath.Slice(segments[s].Start, segments[s].Length), keepSlash: false);
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
