using System.Text;

namespace Nimbus.Sdk.S3;

/// <summary>Path-style request URIs: every key byte but the unreserved ones and <c>/</c> percent-encoded, exactly as signed.</summary>
internal static class S3Paths
{
    // The path is sent and signed as written: the default Uri would drop "." and ".." segments and change the key.
    private static readonly UriCreationOptions Raw = new() { DangerousDisablePathAndQueryCanonicalization = true };

    public static Uri Build(Uri endpoint, string bucket, string? key, IReadOnlyList<KeyValuePair<string, string?>> query)
    {
        var builder = new StringBuilder(256);
        builder.Append(endpoint.GetLeftPart(UriPartial.Authority));
        builder.Append(endpoint.AbsolutePath.TrimEnd('/'));
        builder.Append('/').Append(EncodeSegment(bucket));
        if (key is not null)
        {
            builder.Append('/');
            AppendKey(builder, key);
        }

        var first = true;
        foreach (var (name, value) in query)
        {
            builder.Append(first ? '?' : '&').Append(Uri.EscapeDataString(name));
            if (!string.IsNullOrEmpty(value))
            {
                builder.Append('=').Append(Uri.EscapeDataString(value));
            }
            else
            {
                builder.Append('=');
            }

            first = false;
        }

        return new Uri(builder.ToString(), Raw);
    }

    /// <summary><paramref name="uri"/>'s scheme, authority and raw path with <paramref name="query"/> (starting with <c>?</c>).</summary>
    public static Uri WithQuery(Uri uri, string query) => new(uri.GetLeftPart(UriPartial.Path) + query, Raw);

    /// <summary>Encodes a key's UTF-8 bytes: unreserved characters and <c>/</c> stay, everything else becomes <c>%XX</c>.</summary>
    public static void AppendKey(StringBuilder builder, string key)
    {
        foreach (var b in Encoding.UTF8.GetBytes(key))
        {
            if (b == '/' || IsUnreserved(b))
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(Convert.ToHexString([b]));
            }
        }
    }

    public static string EncodeSegment(string text) => Uri.EscapeDataString(text);

    /// <summary>The copy source header value: <c>bucket/key</c>, URL-encoded.</summary>
    public static string CopySource(string bucket, string key)
    {
        var builder = new StringBuilder(EncodeSegment(bucket)).Append('/');
        AppendKey(builder, key);
        return builder.ToString();
    }

    private static bool IsUnreserved(byte c) =>
        c is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9') or (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~';
}
