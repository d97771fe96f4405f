using Nimbus.Contracts.Checksums;
using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Signing;
using Nimbus.Iam.Authentication;
using Nimbus.Storage.Engine;

namespace Nimbus.Storage.S3;

/// <summary>
/// The body of an S3 request as one verified stream of payload bytes, whatever its framing: a plain body
/// (<c>Content-Length</c>, signed SHA-256 or <c>UNSIGNED-PAYLOAD</c>) or aws-chunked
/// (<c>STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]</c>, <c>STREAMING-UNSIGNED-PAYLOAD-TRAILER</c>, with or
/// without HTTP chunked transfer coding). On the way it checks the length, the payload hash or chunk
/// signatures, <c>Content-MD5</c> and the <c>x-amz-checksum-*</c> header or trailer, and computes the MD5 and
/// the object checksum. Every fault is an <see cref="S3PayloadException"/> raised by a read, at the latest by
/// the read that returns 0: only then are the bytes known good.
/// </summary>
internal sealed class RequestBody : IDisposable
{
    private readonly AwsChunkedDecodingStream? _chunked;
    private readonly PayloadVerifyingStream _verifying;

    private RequestBody(long? length, AwsChunkedDecodingStream? chunked, PayloadVerifyingStream verifying, RequestChecksum? requested)
    {
        Length = length;
        _chunked = chunked;
        _verifying = verifying;
        Requested = requested;
    }

    /// <summary>The payload length the client declared (decoded length for aws-chunked); null when a plain body came without Content-Length.</summary>
    public long? Length { get; }

    /// <summary>The checksum the client named (header, trailer or algorithm only); null when none.</summary>
    public RequestChecksum? Requested { get; }

    /// <summary>The decoded, verified payload.</summary>
    public Stream Stream => _verifying;

    /// <summary>The MD5 of the payload, once read to its end (when asked for or sent as Content-MD5).</summary>
    public ReadOnlyMemory<byte>? Md5 => _verifying.Md5;

    /// <summary>True when the body was aws-chunked.</summary>
    public bool IsChunked => _chunked is not null;

    /// <summary>The payload's checksum (algorithm and base64 value) once read to its end; null when none was computed.</summary>
    public ObjectChecksum? Checksum
    {
        get
        {
            var algorithm = _chunked is not null ? _chunked.ChecksumAlgorithm : _verifying.ChecksumAlgorithm;
            var value = _chunked is not null ? _chunked.ChecksumValue : _verifying.ChecksumValue;
            return algorithm is { } a && value is not null ? new ObjectChecksum(a, ChecksumType.FullObject, value) : null;
        }
    }

    /// <summary>
    /// Opens the request's body. <paramref name="defaultChecksum"/> is computed when the request names no
    /// checksum (S3 stores CRC64NVME for every object then).
    /// </summary>
    /// <param name="s3">The request.</param>
    /// <param name="computeMd5">Compute the MD5 (an object's ETag).</param>
    /// <param name="defaultChecksum">Checksum to compute when the request names none.</param>
    /// <param name="checksumHeadersDescribeBody">
    /// False where <c>x-amz-checksum-*</c> headers describe something else than the body
    /// (CompleteMultipartUpload: the object's checksum); they are then not checked against the body.
    /// </param>
    public static RequestBody Open(S3Context s3, bool computeMd5, ChecksumAlgorithm? defaultChecksum, bool checksumHeadersDescribeBody = true)
    {
        var headers = new HeaderDictionarySource(s3.Headers);
        var auth = s3.Authentication;
        var contentSha256 = auth?.ContentSha256 ?? s3.Headers["x-amz-content-sha256"].ToString();
        if (contentSha256.StartsWith("STREAMING-", StringComparison.Ordinal))
        {
            if (auth is null)
            {
                throw S3Errors.InvalidRequest("An aws-chunked (STREAMING-*) body needs a request signed in the Authorization header.");
            }

            var decoding = AwsChunkedDecodingOptions.FromRequest(headers, auth, defaultChecksum);
            var chunked = new AwsChunkedDecodingStream(s3.Http.Request.Body, decoding);
            try
            {
                var verifying = new PayloadVerifyingStream(chunked, PayloadVerificationOptions.FromRequest(headers, auth, null, computeMd5));
                return new RequestBody(decoding.DecodedContentLength, chunked, verifying, decoding.Checksum);
            }
            catch
            {
                chunked.Dispose();
                throw;
            }
        }

        var length = s3.Http.Request.ContentLength;
        var options = auth is not null && checksumHeadersDescribeBody
            ? PayloadVerificationOptions.FromRequest(headers, auth, length, computeMd5, defaultChecksum)
            : new PayloadVerificationOptions
            {
                // Anonymous: nothing is signed, but Content-MD5 and checksum headers still hold the client to its bytes.
                ExpectedLength = length,
                ExpectedSha256 = contentSha256.Length == 64 && auth is not null ? Convert.FromHexString(contentSha256) : null,
                ExpectedMd5 = s3.ContentMd5(),
                ComputeMd5 = computeMd5,
                Checksum = checksumHeadersDescribeBody ? RequestChecksum.FromHeaders(headers, trailerAlgorithm: null) : null,
                DefaultChecksum = defaultChecksum,
            };
        return new RequestBody(length, null, new PayloadVerifyingStream(s3.Http.Request.Body, options), options.Checksum);
    }

    public void Dispose() => _verifying.Dispose();
}
