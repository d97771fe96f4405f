using System.Globalization;
using Nimbus.Contracts.Checksums;
using Nimbus.Contracts.Errors;

namespace Nimbus.Contracts.Signing;

/// <summary>What a <see cref="PayloadVerifyingStream"/> checks. Build it from the request with <see cref="FromRequest"/>.</summary>
public sealed class PayloadVerificationOptions
{
    /// <summary>The exact payload size expected, or null when unknown. Default null.</summary>
    public long? ExpectedLength { get; init; }

    /// <summary>The SHA-256 the payload must have (from a hex <c>x-amz-content-sha256</c>), 32 bytes; null to skip.</summary>
    public byte[]? ExpectedSha256 { get; init; }

    /// <summary>The MD5 the payload must have (from <c>Content-MD5</c>), 16 bytes; null to skip.</summary>
    public byte[]? ExpectedMd5 { get; init; }

    /// <summary>Compute the MD5 even when none is expected (a single-part object's ETag). Default false.</summary>
    public bool ComputeMd5 { get; init; }

    /// <summary>The checksum to compute and, when it carries a value, verify; null when the request names none.</summary>
    public RequestChecksum? Checksum { get; init; }

    /// <summary>Checksum to compute when the request names none. Default null.</summary>
    public ChecksumAlgorithm? DefaultChecksum { get; init; }

    /// <summary>Leave the inner stream open when the verifying stream is disposed. Default false.</summary>
    public bool LeaveOpen { get; init; }

    /// <summary>
    /// Reads the options from a request's headers. For a plain body: its length, the hex
    /// <c>x-amz-content-sha256</c> (when it is one), <c>Content-MD5</c> and the checksum headers. For an
    /// aws-chunked body (wrap the <see cref="AwsChunkedDecodingStream"/>, which checks the rest): the decoded
    /// length and <c>Content-MD5</c> only.
    /// </summary>
    /// <param name="headers">The request headers; required.</param>
    /// <param name="authentication">The successful verification of the request; required.</param>
    /// <param name="contentLength">The body's <c>Content-Length</c>, or null when sent with chunked transfer coding.</param>
    /// <param name="computeMd5">Compute the MD5 for the ETag even without <c>Content-MD5</c>.</param>
    /// <param name="defaultChecksum">Checksum to compute when the request names none (plain bodies).</param>
    /// <exception cref="S3PayloadException">
    /// <c>InvalidDigest</c> for a <c>Content-MD5</c> that is not base64 of 16 bytes; <c>InvalidRequest</c> for
    /// checksum headers that contradict each other or promise a trailer on a plain body.
    /// </exception>
    public static PayloadVerificationOptions FromRequest(
        ISigV4HeaderSource headers,
        SigV4Result authentication,
        long? contentLength,
        bool computeMd5 = false,
        ChecksumAlgorithm? defaultChecksum = null)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(authentication);
        if (!authentication.Succeeded)
        {
            throw new ArgumentException("The request must be authenticated before its body is read.", nameof(authentication));
        }

        byte[]? md5 = ParseContentMd5(headers);
        bool chunked = AwsChunkedPayload.TryParseMode(authentication.ContentSha256, out _);
        if (chunked)
        {
            SigV4HeaderValues decoded = headers.GetValues(AwsChunkedPayload.DecodedContentLengthHeader);
            long? length = decoded.Count == 1
                && long.TryParse(decoded[0].AsSpan().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long value) ? value : null;
            return new PayloadVerificationOptions { ExpectedLength = length, ExpectedMd5 = md5, ComputeMd5 = computeMd5 };
        }

        if (headers.GetValues(AwsChunkedPayload.TrailerHeader).Count > 0)
        {
            throw new S3PayloadException(S3ErrorCodes.InvalidRequest, "x-amz-trailer needs an aws-chunked body (x-amz-content-sha256 STREAMING-...).");
        }

        string contentSha256 = authentication.ContentSha256;
        // The verifier let only a 64-digit hex hash, UNSIGNED-PAYLOAD or STREAMING-* through.
        byte[]? sha256 = contentSha256.Length == 64 ? Convert.FromHexString(contentSha256) : null;
        return new PayloadVerificationOptions
        {
            ExpectedLength = contentLength,
            ExpectedSha256 = sha256,
            ExpectedMd5 = md5,
            ComputeMd5 = computeMd5,
            Checksum = RequestChecksum.FromHeaders(headers, trailerAlgorithm: null),
            DefaultChecksum = defaultChecksum,
        };
    }

    private static byte[]? ParseContentMd5(ISigV4HeaderSource headers)
    {
        SigV4HeaderValues values = headers.GetValues("content-md5");
        if (values.Count == 0)
        {
            return null;
        }

        byte[] md5 = new byte[16];
        string value = values[0].Trim();
        if (values.Count > 1 || value.Length != 24 || !Convert.TryFromBase64String(value, md5, out int written) || written != 16)
        {
            throw new S3PayloadException(S3ErrorCodes.InvalidDigest, "The Content-MD5 you specified was invalid.");
        }

        return md5;
    }
}
