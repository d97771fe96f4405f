using System.Globalization;
using Nimbus.Contracts.Checksums;

namespace Nimbus.Contracts.Signing;

/// <summary>
/// Turns a PUT (or UploadPart) request into a signed aws-chunked upload in one call, for the SDK and CLI:
/// sets the headers, signs the request and attaches the encoding body.
/// </summary>
public static class AwsChunkedUpload
{
    /// <summary>
    /// Prepares <paramref name="request"/>: sets <c>Content-Encoding: aws-chunked</c>,
    /// <c>x-amz-decoded-content-length</c>, and with a checksum <c>x-amz-trailer</c> and
    /// <c>x-amz-sdk-checksum-algorithm</c>; signs it (chunk signatures chained from the request signature in
    /// the signed modes); and sets its content to an <see cref="AwsChunkedEncodingStream"/> over
    /// <paramref name="payload"/> with the exact <c>Content-Length</c>.
    /// </summary>
    /// <param name="request">The request, with an absolute URI and any other headers already set; required.</param>
    /// <param name="payload">The bytes to upload; read once, to exactly <paramref name="payloadLength"/> bytes; disposed with the content.</param>
    /// <param name="payloadLength">The payload size in bytes.</param>
    /// <param name="credentials">Access key id, secret and optional session token; required.</param>
    /// <param name="region">Region of the credential scope; required.</param>
    /// <param name="service">Service of the credential scope, normally <c>s3</c>; required.</param>
    /// <param name="now">Signing time.</param>
    /// <param name="mode">The body format.</param>
    /// <param name="checksum">Checksum to send as a trailer; only with a trailer mode. Default none.</param>
    /// <param name="chunkSize">Payload bytes per chunk. Default 64 KiB.</param>
    public static void Prepare(
        HttpRequestMessage request,
        Stream payload,
        long payloadLength,
        SigV4Credentials credentials,
        string region,
        string service,
        DateTimeOffset now,
        AwsChunkedMode mode,
        ChecksumAlgorithm? checksum = null,
        int chunkSize = AwsChunkedEncodingOptions.DefaultChunkSize)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(payload);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength);
        if (checksum is not null && !AwsChunkedPayload.HasTrailer(mode))
        {
            throw new ArgumentException("A trailer checksum needs a trailer mode.", nameof(checksum));
        }

        request.Headers.Remove(AwsChunkedPayload.DecodedContentLengthHeader);
        request.Headers.Remove(AwsChunkedPayload.TrailerHeader);
        request.Headers.Remove(ChecksumAlgorithms.SdkAlgorithmHeader);
        request.Headers.TryAddWithoutValidation(AwsChunkedPayload.DecodedContentLengthHeader, payloadLength.ToString(CultureInfo.InvariantCulture));
        if (checksum is { } algorithm)
        {
            request.Headers.TryAddWithoutValidation(AwsChunkedPayload.TrailerHeader, ChecksumAlgorithms.GetHeaderName(algorithm));
            request.Headers.TryAddWithoutValidation(ChecksumAlgorithms.SdkAlgorithmHeader, ChecksumAlgorithms.GetName(algorithm));
        }

        // Sign while the caller's content (if any) is still attached: its Content-Type is a signed header.
        SigV4ChunkSigningContext? signing = AwsChunkedPayload.IsSigned(mode)
            ? SigV4Signer.SignChunked(request, credentials, region, service, now, mode == AwsChunkedMode.SignedPayloadTrailer)
            : null;
        if (signing is null)
        {
            SigV4Signer.Sign(request, credentials, region, service, now, AwsChunkedPayload.UnsignedWithTrailer);
        }

        var options = new AwsChunkedEncodingOptions { Mode = mode, ChunkSize = chunkSize, TrailerChecksum = checksum, ChunkSigning = signing };
        var body = new StreamContent(new AwsChunkedEncodingStream(payload, options));
        if (request.Content is { } previous)
        {
            foreach (KeyValuePair<string, IEnumerable<string>> header in previous.Headers)
            {
                body.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            previous.Dispose();
        }

        body.Headers.ContentLength = AwsChunkedEncodingStream.GetEncodedLength(payloadLength, options);
        // aws-chunked comes first; the object's own encodings (gzip, say) follow and are what S3 stores.
        string[] own = body.Headers.ContentEncoding.Where(e => !e.Equals(AwsChunkedPayload.ContentEncoding, StringComparison.OrdinalIgnoreCase)).ToArray();
        body.Headers.ContentEncoding.Clear();
        body.Headers.ContentEncoding.Add(AwsChunkedPayload.ContentEncoding);
        foreach (string encoding in own)
        {
            body.Headers.ContentEncoding.Add(encoding);
        }
        request.Content = body;
    }
}
