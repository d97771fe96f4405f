namespace Nimbus.Contracts.Errors;

/// <summary>
/// The S3 error codes (the <c>Code</c> element of an S3 error body) that the payload pieces raise, with their
/// HTTP status. The S3 server maps <see cref="S3PayloadException"/> to its XML error with these.
/// </summary>
public static class S3ErrorCodes
{
    /// <summary>403: a chunk or trailer signature does not verify.</summary>
    public const string SignatureDoesNotMatch = "SignatureDoesNotMatch";

    /// <summary>400: the body ended early, its framing is broken, or its size differs from the declared one.</summary>
    public const string IncompleteBody = "IncompleteBody";

    /// <summary>403: a chunk is larger than the server accepts, or a signed chunk other than the last is under 8 KiB.</summary>
    public const string InvalidChunkSizeError = "InvalidChunkSizeError";

    /// <summary>400: a header combination or value the request may not carry.</summary>
    public const string InvalidRequest = "InvalidRequest";

    /// <summary>400: an argument (header value) is invalid.</summary>
    public const string InvalidArgument = "InvalidArgument";

    /// <summary>400: the body's SHA-256 differs from <c>x-amz-content-sha256</c>.</summary>
    public const string XAmzContentSha256Mismatch = "XAmzContentSHA256Mismatch";

    /// <summary>400: a checksum (<c>x-amz-checksum-*</c>, <c>Content-MD5</c>) differs from the one computed.</summary>
    public const string BadDigest = "BadDigest";

    /// <summary>400: <c>Content-MD5</c> is not the base64 of 16 bytes.</summary>
    public const string InvalidDigest = "InvalidDigest";

    /// <summary>400: trailing headers are malformed, undeclared or missing.</summary>
    public const string MalformedTrailerError = "MalformedTrailerError";

    /// <summary>411: <c>x-amz-decoded-content-length</c> (or <c>Content-Length</c>) is missing or not a number.</summary>
    public const string MissingContentLength = "MissingContentLength";

    /// <summary>501: a payload signing scheme the server does not implement (SigV4a).</summary>
    public const string NotImplemented = "NotImplemented";

    /// <summary>The HTTP status S3 answers <paramref name="code"/> with; 400 for codes not listed here.</summary>
    /// <param name="code">An S3 error code.</param>
    public static int GetStatusCode(string code) => code switch
    {
        SignatureDoesNotMatch or InvalidChunkSizeError => 403,
        MissingContentLength => 411,
        NotImplemented => 501,
        _ => 400,
    };
}
