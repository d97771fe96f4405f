using Nimbus.Contracts.Checksums;

namespace Nimbus.Contracts.Signing;

/// <summary>How an <see cref="AwsChunkedEncodingStream"/> frames a payload.</summary>
public sealed class AwsChunkedEncodingOptions
{
    /// <summary>Default <see cref="ChunkSize"/>: 64 KiB, the size AWS recommends.</summary>
    public const int DefaultChunkSize = 64 * 1024;

    /// <summary>The body format; required.</summary>
    public required AwsChunkedMode Mode { get; init; }

    /// <summary>Required for the signed modes: the context <see cref="SigV4Signer.SignChunked"/> returned.</summary>
    public SigV4ChunkSigningContext? ChunkSigning { get; init; }

    /// <summary>
    /// Bytes of payload per chunk (every chunk but the last is exactly this size); ≥ 1. S3 requires 8 KiB or
    /// more for signed chunks. Default 64 KiB.
    /// </summary>
    public int ChunkSize { get; init; } = DefaultChunkSize;

    /// <summary>
    /// The checksum to compute while encoding and send as the trailing header <c>x-amz-checksum-*</c>
    /// (declare it in <c>x-amz-trailer</c>); only for the trailer modes. Default none.
    /// </summary>
    public ChecksumAlgorithm? TrailerChecksum { get; init; }

    /// <summary>Leave the payload stream open when the encoding stream is disposed. Default false.</summary>
    public bool LeaveOpen { get; init; }
}
