namespace Nimbus.Contracts.Signing;

/// <summary>The <c>x-amz-content-sha256</c> values and headers of aws-chunked bodies.</summary>
public static class AwsChunkedPayload
{
    /// <summary><c>STREAMING-AWS4-HMAC-SHA256-PAYLOAD</c>.</summary>
    public const string Signed = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";

    /// <summary><c>STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER</c>.</summary>
    public const string SignedWithTrailer = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";

    /// <summary><c>STREAMING-UNSIGNED-PAYLOAD-TRAILER</c>.</summary>
    public const string UnsignedWithTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

    /// <summary>The header with the size of the decoded payload: <c>x-amz-decoded-content-length</c>.</summary>
    public const string DecodedContentLengthHeader = "x-amz-decoded-content-length";

    /// <summary>The header declaring the trailing headers: <c>x-amz-trailer</c>.</summary>
    public const string TrailerHeader = "x-amz-trailer";

    /// <summary>The trailing header that signs the trailer: <c>x-amz-trailer-signature</c>.</summary>
    public const string TrailerSignatureHeader = "x-amz-trailer-signature";

    /// <summary>The <c>Content-Encoding</c> token of the format, to strip before storing the object's encoding.</summary>
    public const string ContentEncoding = "aws-chunked";

    /// <summary>
    /// Recognizes an <c>x-amz-content-sha256</c> value naming an aws-chunked format. False for plain values
    /// (a hex hash, <c>UNSIGNED-PAYLOAD</c>) and for streaming formats not implemented (SigV4a's ECDSA ones).
    /// </summary>
    /// <param name="contentSha256">The header value.</param>
    /// <param name="mode">The format on success.</param>
    public static bool TryParseMode(ReadOnlySpan<char> contentSha256, out AwsChunkedMode mode)
    {
        contentSha256 = contentSha256.Trim();
        mode = contentSha256 switch
        {
            Signed => AwsChunkedMode.SignedPayload,
            SignedWithTrailer => AwsChunkedMode.SignedPayloadTrailer,
            UnsignedWithTrailer => AwsChunkedMode.UnsignedPayloadTrailer,
            _ => default,
        };
        return mode != default;
    }

    /// <summary>True for the modes whose chunks carry signatures.</summary>
    /// <param name="mode">A defined mode.</param>
    public static bool IsSigned(AwsChunkedMode mode) => mode is AwsChunkedMode.SignedPayload or AwsChunkedMode.SignedPayloadTrailer;

    /// <summary>True for the modes that may end with trailing headers.</summary>
    /// <param name="mode">A defined mode.</param>
    public static bool HasTrailer(AwsChunkedMode mode) => mode is AwsChunkedMode.SignedPayloadTrailer or AwsChunkedMode.UnsignedPayloadTrailer;

    /// <summary>The <c>x-amz-content-sha256</c> value of a mode.</summary>
    /// <param name="mode">A defined mode.</param>
    public static string GetContentSha256(AwsChunkedMode mode) => mode switch
    {
        AwsChunkedMode.SignedPayload => Signed,
        AwsChunkedMode.SignedPayloadTrailer => SignedWithTrailer,
        AwsChunkedMode.UnsignedPayloadTrailer => UnsignedWithTrailer,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown aws-chunked mode."),
    };

    /// <summary>
    /// The <c>Content-Encoding</c> to store for an object uploaded aws-chunked: the header without its
    /// <c>aws-chunked</c> token (S3 never returns it), or null when nothing else remains.
    /// </summary>
    /// <param name="contentEncoding">The request's <c>Content-Encoding</c>, e.g. <c>aws-chunked,gzip</c>; may be null.</param>
    public static string? StripContentEncoding(string? contentEncoding)
    {
        if (string.IsNullOrWhiteSpace(contentEncoding))
        {
            return null;
        }

        string[] kept = contentEncoding.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(token => !token.Equals(ContentEncoding, StringComparison.OrdinalIgnoreCase))
            .ToArray();
        return kept.Length == 0 ? null : string.Join(',', kept);
    }
}
