using System.Globalization;
using Nimbus.Contracts.Checksums;
using Nimbus.Contracts.Errors;

namespace Nimbus.Contracts.Signing;

/// <summary>What an <see cref="AwsChunkedDecodingStream"/> decodes and verifies. Build it from the request with <see cref="FromRequest"/>.</summary>
public sealed class AwsChunkedDecodingOptions
{
    /// <summary>Default <see cref="MaxSignedChunkSize"/>: 16 MiB.</summary>
    public const int DefaultMaxSignedChunkSize = 16 << 20;

    /// <summary>The body format; required.</summary>
    public required AwsChunkedMode Mode { get; init; }

    /// <summary>The payload size the client declared (<c>x-amz-decoded-content-length</c>); required, ≥ 0.</summary>
    public required long DecodedContentLength { get; init; }

    /// <summary>Required for the signed modes: what the chunk signatures chain from (<see cref="SigV4Result.ChunkSigning"/>).</summary>
    public SigV4ChunkSigningContext? ChunkSigning { get; init; }

    /// <summary>
    /// Trailing headers the client declared (<c>x-amz-trailer</c>), lowercase. Only these may appear in the
    /// trailer, and all of them must. Default none.
    /// </summary>
    public IReadOnlyList<string> DeclaredTrailers { get; init; } = [];

    /// <summary>
    /// The checksum to compute over the decoded bytes and verify at the end (against
    /// <see cref="RequestChecksum.ExpectedValue"/> or the trailer); null when the request names none.
    /// </summary>
    public RequestChecksum? Checksum { get; init; }

    /// <summary>
    /// Checksum to compute when the request names none, so the server can store one for every object (S3
    /// computes CRC64NVME then). Default null: none.
    /// </summary>
    public ChecksumAlgorithm? DefaultChecksum { get; init; }

    /// <summary>
    /// Largest signed chunk accepted, in bytes. A signed chunk is held in memory until its signature is
    /// verified, so that no unverified byte is ever handed out: this caps the memory of one upload. Clients
    /// send 64 KiB to 1 MiB. Unsigned chunks are streamed and bounded only by the declared length.
    /// Default 16 MiB.
    /// </summary>
    public int MaxSignedChunkSize { get; init; } = DefaultMaxSignedChunkSize;

    /// <summary>
    /// Smallest signed chunk allowed before the last data chunk, in bytes (S3 requires 8 KiB); 0 disables the
    /// check. Default 8192.
    /// </summary>
    public int MinSignedChunkSize { get; init; } = 8192;

    /// <summary>Leave the body stream open when the decoding stream is disposed. Default false.</summary>
    public bool LeaveOpen { get; init; }

    /// <summary>
    /// Reads the options from the request's headers: <c>x-amz-content-sha256</c>,
    /// <c>x-amz-decoded-content-length</c>, <c>x-amz-trailer</c>, <c>x-amz-checksum-*</c> and
    /// <c>x-amz-sdk-checksum-algorithm</c>.
    /// </summary>
    /// <param name="headers">The request headers; required.</param>
    /// <param name="authentication">The successful verification of the request; required.</param>
    /// <param name="defaultChecksum">Checksum to compute when the request names none; optional.</param>
    /// <exception cref="S3PayloadException">
    /// <c>MissingContentLength</c> for a missing or malformed decoded length; <c>InvalidRequest</c> for an
    /// unsupported or contradictory trailer or checksum declaration, or chunk signatures on a presigned request;
    /// <c>NotImplemented</c> for SigV4a streaming; <c>InvalidArgument</c> when the body is not aws-chunked.
    /// </exception>
    public static AwsChunkedDecodingOptions FromRequest(
        ISigV4HeaderSource headers, SigV4Result authentication, ChecksumAlgorithm? defaultChecksum = null)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(authentication);
        if (!authentication.Succeeded)
        {
            throw new ArgumentException("The request must be authenticated before its body is decoded.", nameof(authentication));
        }

        string contentSha256 = authentication.ContentSha256;
        if (!AwsChunkedPayload.TryParseMode(contentSha256, out AwsChunkedMode mode))
        {
            throw contentSha256.StartsWith("STREAMING-AWS4-ECDSA", StringComparison.Ordinal)
                ? new S3PayloadException(S3ErrorCodes.NotImplemented, "SigV4a (ECDSA) signed streaming payloads are not implemented.")
                : new S3PayloadException(S3ErrorCodes.InvalidArgument, "The x-amz-content-sha256 value does not name an aws-chunked payload.");
        }

        if (AwsChunkedPayload.IsSigned(mode) && authentication.ChunkSigning is null)
        {
            throw new S3PayloadException(S3ErrorCodes.InvalidRequest, "Signed chunks need a request signed in the Authorization header.");
        }

        SigV4HeaderValues lengths = headers.GetValues(AwsChunkedPayload.DecodedContentLengthHeader);
        if (lengths.Count != 1
            || !long.TryParse(lengths[0].AsSpan().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long decodedLength))
        {
            throw new S3PayloadException(
                S3ErrorCodes.MissingContentLength, "An aws-chunked body needs one x-amz-decoded-content-length header with its size in bytes.");
        }

        List<string> trailers = ParseTrailerDeclaration(headers, mode, out ChecksumAlgorithm? trailerAlgorithm);
        return new AwsChunkedDecodingOptions
        {
            Mode = mode,
            DecodedContentLength = decodedLength,
            ChunkSigning = authentication.ChunkSigning,
            DeclaredTrailers = trailers,
            Checksum = RequestChecksum.FromHeaders(headers, trailerAlgorithm),
            DefaultChecksum = defaultChecksum,
        };
    }

    private static List<string> ParseTrailerDeclaration(ISigV4HeaderSource headers, AwsChunkedMode mode, out ChecksumAlgorithm? trailerAlgorithm)
    {
        trailerAlgorithm = null;
        var trailers = new List<string>(1);
        SigV4HeaderValues declared = headers.GetValues(AwsChunkedPayload.TrailerHeader);
        for (int i = 0; i < declared.Count; i++)
        {
            foreach (Range range in declared[i].AsSpan().Split(','))
            {
                ReadOnlySpan<char> name = declared[i].AsSpan()[range].Trim();
                if (name.IsEmpty)
                {
                    continue;
                }

                // S3 supports exactly one trailing header: a checksum value.
                if (!ChecksumAlgorithms.TryParseHeaderName(name, out ChecksumAlgorithm algorithm))
                {
                    throw new S3PayloadException(S3ErrorCodes.InvalidRequest, $"The trailing header '{Echo(name)}' declared in x-amz-trailer is not supported.");
                }

                if (trailerAlgorithm is not null)
                {
                    throw new S3PayloadException(S3ErrorCodes.InvalidRequest, "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
                }

                trailerAlgorithm = algorithm;
                trailers.Add(ChecksumAlgorithms.GetHeaderName(algorithm));
            }
        }

        if (trailers.Count > 0 && !AwsChunkedPayload.HasTrailer(mode))
        {
            throw new S3PayloadException(
                S3ErrorCodes.InvalidRequest, $"x-amz-trailer needs x-amz-content-sha256 {AwsChunkedPayload.SignedWithTrailer} or {AwsChunkedPayload.UnsignedWithTrailer}.");
        }

        return trailers;
    }

    private static string Echo(ReadOnlySpan<char> value) => value.Length <= 64 ? value.ToString() : string.Concat(value[..64], "...");
}
