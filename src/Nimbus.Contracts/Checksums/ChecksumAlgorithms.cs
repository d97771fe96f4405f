using System.Diagnostics.CodeAnalysis;

namespace Nimbus.Contracts.Checksums;

/// <summary>Names, header names, sizes and value syntax of the S3 <see cref="ChecksumAlgorithm"/>s.</summary>
public static class ChecksumAlgorithms
{
    /// <summary>Prefix of the headers and trailers that carry a checksum value: <c>x-amz-checksum-</c>.</summary>
    public const string HeaderPrefix = "x-amz-checksum-";

    /// <summary>Request header naming the algorithm an SDK used: <c>x-amz-sdk-checksum-algorithm</c>.</summary>
    public const string SdkAlgorithmHeader = "x-amz-sdk-checksum-algorithm";

    /// <summary>Header naming the algorithm of a multipart upload or copy: <c>x-amz-checksum-algorithm</c>.</summary>
    public const string AlgorithmHeader = "x-amz-checksum-algorithm";

    /// <summary>Header naming the <see cref="ChecksumType"/>: <c>x-amz-checksum-type</c>.</summary>
    public const string TypeHeader = "x-amz-checksum-type";

    /// <summary>Every algorithm, in a stable order (the order S3 documents them).</summary>
    public static IReadOnlyList<ChecksumAlgorithm> All { get; } =
        [ChecksumAlgorithm.Crc32, ChecksumAlgorithm.Crc32C, ChecksumAlgorithm.Crc64Nvme, ChecksumAlgorithm.Sha1, ChecksumAlgorithm.Sha256];

    /// <summary>The S3 name: <c>CRC32</c>, <c>CRC32C</c>, <c>CRC64NVME</c>, <c>SHA1</c> or <c>SHA256</c>.</summary>
    /// <param name="algorithm">A defined algorithm.</param>
    public static string GetName(ChecksumAlgorithm algorithm) => algorithm switch
    {
        ChecksumAlgorithm.Crc32 => "CRC32",
        ChecksumAlgorithm.Crc32C => "CRC32C",
        ChecksumAlgorithm.Crc64Nvme => "CRC64NVME",
        ChecksumAlgorithm.Sha1 => "SHA1",
        ChecksumAlgorithm.Sha256 => "SHA256",
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unknown checksum algorithm."),
    };

    /// <summary>The header (and trailer) carrying the value, lowercase: e.g. <c>x-amz-checksum-crc64nvme</c>.</summary>
    /// <param name="algorithm">A defined algorithm.</param>
    public static string GetHeaderName(ChecksumAlgorithm algorithm) => algorithm switch
    {
        ChecksumAlgorithm.Crc32 => "x-amz-checksum-crc32",
        ChecksumAlgorithm.Crc32C => "x-amz-checksum-crc32c",
        ChecksumAlgorithm.Crc64Nvme => "x-amz-checksum-crc64nvme",
        ChecksumAlgorithm.Sha1 => "x-amz-checksum-sha1",
        ChecksumAlgorithm.Sha256 => "x-amz-checksum-sha256",
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unknown checksum algorithm."),
    };

    /// <summary>Digest size in bytes: 4, 4, 8, 20 or 32.</summary>
    /// <param name="algorithm">A defined algorithm.</param>
    public static int GetHashSize(ChecksumAlgorithm algorithm) => algorithm switch
    {
        ChecksumAlgorithm.Crc32 or ChecksumAlgorithm.Crc32C => 4,
        ChecksumAlgorithm.Crc64Nvme => 8,
        ChecksumAlgorithm.Sha1 => 20,
        ChecksumAlgorithm.Sha256 => 32,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unknown checksum algorithm."),
    };

    /// <summary>True for the CRC family, whose part checksums combine into a full-object checksum.</summary>
    /// <param name="algorithm">A defined algorithm.</param>
    public static bool IsCrc(ChecksumAlgorithm algorithm) =>
        algorithm is ChecksumAlgorithm.Crc32 or ChecksumAlgorithm.Crc32C or ChecksumAlgorithm.Crc64Nvme;

    /// <summary>
    /// Whether S3 allows <paramref name="type"/> with <paramref name="algorithm"/>: COMPOSITE for all but
    /// CRC64NVME, FULL_OBJECT for the CRC family only.
    /// </summary>
    /// <param name="algorithm">A defined algorithm.</param>
    /// <param name="type">A defined checksum type.</param>
    public static bool Supports(ChecksumAlgorithm algorithm, ChecksumType type) => type switch
    {
        ChecksumType.Composite => algorithm != ChecksumAlgorithm.Crc64Nvme,
        ChecksumType.FullObject => IsCrc(algorithm),
        _ => false,
    };

    /// <summary>The type S3 uses when a multipart upload names an algorithm but no type: FULL_OBJECT for CRC64NVME, else COMPOSITE.</summary>
    /// <param name="algorithm">A defined algorithm.</param>
    public static ChecksumType GetDefaultType(ChecksumAlgorithm algorithm) =>
        algorithm == ChecksumAlgorithm.Crc64Nvme ? ChecksumType.FullObject : ChecksumType.Composite;

    /// <summary>Parses an S3 algorithm name (<c>CRC32</c>, <c>crc64nvme</c>, ...), ignoring case and surrounding white space.</summary>
    /// <param name="name">The name as received; null or empty fails.</param>
    /// <param name="algorithm">The algorithm on success.</param>
    public static bool TryParse([NotNullWhen(true)] string? name, out ChecksumAlgorithm algorithm) => TryParse(name.AsSpan(), out algorithm);

    /// <inheritdoc cref="TryParse(string?, out ChecksumAlgorithm)"/>
    public static bool TryParse(ReadOnlySpan<char> name, out ChecksumAlgorithm algorithm)
    {
        name = name.Trim();
        foreach (ChecksumAlgorithm candidate in All)
        {
            if (name.Equals(GetName(candidate), StringComparison.OrdinalIgnoreCase))
            {
                algorithm = candidate;
                return true;
            }
        }

        algorithm = default;
        return false;
    }

    /// <summary>
    /// Parses a value header or trailer name (<c>x-amz-checksum-crc32</c>, any case) into its algorithm.
    /// Other <c>x-amz-checksum-*</c> headers (<c>-type</c>, <c>-algorithm</c>, <c>-mode</c>) fail.
    /// </summary>
    /// <param name="headerName">The header name.</param>
    /// <param name="algorithm">The algorithm on success.</param>
    public static bool TryParseHeaderName(ReadOnlySpan<char> headerName, out ChecksumAlgorithm algorithm)
    {
        headerName = headerName.Trim();
        if (headerName.Length > HeaderPrefix.Length && headerName.StartsWith(HeaderPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return TryParse(headerName[HeaderPrefix.Length..], out algorithm);
        }

        algorithm = default;
        return false;
    }

    /// <summary>The S3 name of a checksum type: <c>COMPOSITE</c> or <c>FULL_OBJECT</c>.</summary>
    /// <param name="type">A defined type.</param>
    public static string GetName(ChecksumType type) => type switch
    {
        ChecksumType.Composite => "COMPOSITE",
        ChecksumType.FullObject => "FULL_OBJECT",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown checksum type."),
    };

    /// <summary>Parses <c>COMPOSITE</c> or <c>FULL_OBJECT</c>, ignoring case and surrounding white space.</summary>
    /// <param name="name">The name as received.</param>
    /// <param name="type">The type on success.</param>
    public static bool TryParseType(ReadOnlySpan<char> name, out ChecksumType type)
    {
        name = name.Trim();
        if (name.Equals("COMPOSITE", StringComparison.OrdinalIgnoreCase))
        {
            type = ChecksumType.Composite;
            return true;
        }

        if (name.Equals("FULL_OBJECT", StringComparison.OrdinalIgnoreCase))
        {
            type = ChecksumType.FullObject;
            return true;
        }

        type = default;
        return false;
    }

    /// <summary>
    /// Decodes a checksum value (standard base64 of the digest, no <c>-N</c> suffix) into
    /// <paramref name="digest"/>. Fails unless it decodes to exactly the algorithm's digest size.
    /// </summary>
    /// <param name="algorithm">The algorithm the value claims to be.</param>
    /// <param name="base64">The value as received; surrounding white space is ignored.</param>
    /// <param name="digest">Receives the digest; at least <see cref="GetHashSize"/> bytes.</param>
    public static bool TryDecodeValue(ChecksumAlgorithm algorithm, ReadOnlySpan<char> base64, Span<byte> digest)
    {
        int size = GetHashSize(algorithm);
        base64 = base64.Trim();
        Span<byte> scratch = stackalloc byte[48];

        // Exactly the canonical length: base64 of `size` bytes, padded.
        return base64.Length == ((size + 2) / 3) * 4
            && Convert.TryFromBase64Chars(base64, scratch, out int written)
            && written == size
            && scratch[..size].TryCopyTo(digest);
    }

    /// <summary>Encodes a digest the way S3 renders checksum values: standard base64.</summary>
    /// <param name="digest">The big-endian digest bytes.</param>
    public static string EncodeValue(ReadOnlySpan<byte> digest) => Convert.ToBase64String(digest);

    /// <summary>The checksum of <paramref name="data"/> in one call, as S3 renders it (base64).</summary>
    /// <param name="algorithm">A defined algorithm.</param>
    /// <param name="data">The bytes.</param>
    public static string ComputeValue(ChecksumAlgorithm algorithm, ReadOnlySpan<byte> data)
    {
        using IncrementalChecksum checksum = IncrementalChecksum.Create(algorithm);
        checksum.Append(data);
        return checksum.GetBase64();
    }
}
