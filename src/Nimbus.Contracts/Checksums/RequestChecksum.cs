using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Signing;

namespace Nimbus.Contracts.Checksums;

/// <summary>
/// The checksum a request asks the server to verify and store, resolved from its headers: a value in an
/// <c>x-amz-checksum-*</c> header, a value promised in a trailer (<c>x-amz-trailer</c>), or only an algorithm
/// (<c>x-amz-sdk-checksum-algorithm</c>) for the server to compute.
/// </summary>
/// <param name="Algorithm">The algorithm.</param>
/// <param name="ExpectedValue">The base64 value from the header (trimmed); null when it comes in a trailer or not at all.</param>
/// <param name="InTrailer">True when the value comes in the trailing headers of an aws-chunked body.</param>
public sealed record RequestChecksum(ChecksumAlgorithm Algorithm, string? ExpectedValue, bool InTrailer)
{
    /// <summary>
    /// Resolves the request's checksum. Returns null when the request names none.
    /// </summary>
    /// <param name="headers">The request headers; required.</param>
    /// <param name="trailerAlgorithm">The checksum algorithm declared in <c>x-amz-trailer</c>, if any.</param>
    /// <exception cref="S3PayloadException">
    /// <c>InvalidRequest</c>: several checksum values (headers, or a header and a trailer), a value that is not
    /// the base64 of one digest, an unknown <c>x-amz-sdk-checksum-algorithm</c>, or one that contradicts the value's algorithm.
    /// </exception>
    public static RequestChecksum? FromHeaders(ISigV4HeaderSource headers, ChecksumAlgorithm? trailerAlgorithm)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ChecksumAlgorithm? headerAlgorithm = null;
        string? value = null;
        Span<byte> digest = stackalloc byte[32];
        foreach (ChecksumAlgorithm algorithm in ChecksumAlgorithms.All)
        {
            string name = ChecksumAlgorithms.GetHeaderName(algorithm);
            SigV4HeaderValues values = headers.GetValues(name);
            if (values.Count == 0)
            {
                continue;
            }

            if (values.Count > 1 || headerAlgorithm is not null || trailerAlgorithm is not null)
            {
                throw new S3PayloadException(
                    S3ErrorCodes.InvalidRequest, "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
            }

            headerAlgorithm = algorithm;
            value = values[0].Trim();
            if (!ChecksumAlgorithms.TryDecodeValue(algorithm, value, digest))
            {
                throw new S3PayloadException(S3ErrorCodes.InvalidRequest, $"Value for {name} header is invalid.");
            }
        }

        ChecksumAlgorithm? sdkAlgorithm = null;
        SigV4HeaderValues sdk = headers.GetValues(ChecksumAlgorithms.SdkAlgorithmHeader);
        if (sdk.Count > 0)
        {
            if (sdk.Count > 1 || !ChecksumAlgorithms.TryParse(sdk[0], out ChecksumAlgorithm parsed))
            {
                throw new S3PayloadException(S3ErrorCodes.InvalidRequest, "Value for x-amz-sdk-checksum-algorithm header is invalid.");
            }

            sdkAlgorithm = parsed;
        }

        ChecksumAlgorithm? named = headerAlgorithm ?? trailerAlgorithm;
        if (sdkAlgorithm is not null && named is not null && sdkAlgorithm != named)
        {
            throw new S3PayloadException(
                S3ErrorCodes.InvalidRequest,
                $"x-amz-sdk-checksum-algorithm says {ChecksumAlgorithms.GetName(sdkAlgorithm.Value)} but the checksum sent is {ChecksumAlgorithms.GetName(named.Value)}.");
        }

        ChecksumAlgorithm? resolved = named ?? sdkAlgorithm;
        return resolved is null ? null : new RequestChecksum(resolved.Value, value, InTrailer: headerAlgorithm is null && trailerAlgorithm is not null);
    }
}
