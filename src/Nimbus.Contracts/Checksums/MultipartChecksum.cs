using System.Buffers.Binary;
using System.Globalization;

namespace Nimbus.Contracts.Checksums;

/// <summary>
/// The checksum of a multipart object from its parts' checksums, in part order: COMPOSITE (checksum of the
/// concatenated binary part checksums, rendered <c>base64-N</c>) or FULL_OBJECT (the CRC of the whole
/// object, combined from the part CRCs and lengths without reading the data again). Not thread-safe.
/// </summary>
public sealed class MultipartChecksum : IDisposable
{
    private readonly IncrementalChecksum? _composite;
    private ulong _fullCrc;

    /// <summary>Starts an empty multipart checksum.</summary>
    /// <param name="algorithm">The parts' algorithm.</param>
    /// <param name="type">How to combine them; must be supported by <paramref name="algorithm"/>
    /// (<see cref="ChecksumAlgorithms.Supports"/>).</param>
    public MultipartChecksum(ChecksumAlgorithm algorithm, ChecksumType type)
    {
        if (!ChecksumAlgorithms.Supports(algorithm, type))
        {
            throw new ArgumentException(
                $"The {ChecksumAlgorithms.GetName(type)} checksum type is not supported by {ChecksumAlgorithms.GetName(algorithm)}.", nameof(type));
        }

        Algorithm = algorithm;
        Type = type;
        _composite = type == ChecksumType.Composite ? IncrementalChecksum.Create(algorithm) : null;
    }

    /// <summary>The parts' algorithm.</summary>
    public ChecksumAlgorithm Algorithm { get; }

    /// <summary>How the parts combine.</summary>
    public ChecksumType Type { get; }

    /// <summary>Parts added so far.</summary>
    public int PartCount { get; private set; }

    /// <summary>Total bytes of the parts added so far.</summary>
    public long Length { get; private set; }

    /// <summary>Adds the next part.</summary>
    /// <param name="partDigest">The part's checksum, big-endian, exactly the algorithm's digest size.</param>
    /// <param name="partLength">The part's length in bytes; used by FULL_OBJECT.</param>
    public void AddPart(ReadOnlySpan<byte> partDigest, long partLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(partLength);
        if (partDigest.Length != ChecksumAlgorithms.GetHashSize(Algorithm))
        {
            throw new ArgumentException($"A {ChecksumAlgorithms.GetName(Algorithm)} digest is {ChecksumAlgorithms.GetHashSize(Algorithm)} bytes.", nameof(partDigest));
        }

        if (_composite is not null)
        {
            _composite.Append(partDigest);
        }
        else
        {
            _fullCrc = Algorithm switch
            {
                ChecksumAlgorithm.Crc32 => CrcPolynomial.Crc32.Combine(_fullCrc, BinaryPrimitives.ReadUInt32BigEndian(partDigest), partLength),
                ChecksumAlgorithm.Crc32C => Crc32C.Combine((uint)_fullCrc, BinaryPrimitives.ReadUInt32BigEndian(partDigest), partLength),
                _ => Crc64Nvme.Combine(_fullCrc, BinaryPrimitives.ReadUInt64BigEndian(partDigest), partLength),
            };
        }

        PartCount++;
        Length += partLength;
    }

    /// <summary>Adds the next part from its base64 checksum as a client sent it; false when the value is malformed.</summary>
    /// <param name="partBase64">The part's checksum value.</param>
    /// <param name="partLength">The part's length in bytes.</param>
    public bool TryAddPart(string partBase64, long partLength)
    {
        ArgumentNullException.ThrowIfNull(partBase64);
        Span<byte> digest = stackalloc byte[32];
        if (!ChecksumAlgorithms.TryDecodeValue(Algorithm, partBase64, digest))
        {
            return false;
        }

        AddPart(digest[..ChecksumAlgorithms.GetHashSize(Algorithm)], partLength);
        return true;
    }

    /// <summary>
    /// The object's checksum value: <c>base64-N</c> for COMPOSITE, plain base64 for FULL_OBJECT (as S3 returns
    /// them in <c>x-amz-checksum-*</c>).
    /// </summary>
    public string GetValue()
    {
        if (_composite is not null)
        {
            return _composite.GetBase64() + "-" + PartCount.ToString(CultureInfo.InvariantCulture);
        }

        Span<byte> digest = stackalloc byte[8];
        if (Algorithm == ChecksumAlgorithm.Crc64Nvme)
        {
            BinaryPrimitives.WriteUInt64BigEndian(digest, _fullCrc);
            return Convert.ToBase64String(digest);
        }

        BinaryPrimitives.WriteUInt32BigEndian(digest, (uint)_fullCrc);
        return Convert.ToBase64String(digest[..4]);
    }

    /// <summary>Splits a COMPOSITE value <c>base64-N</c> into its checksum and part count; false for any other form.</summary>
    /// <param name="value">A checksum value.</param>
    /// <param name="checksum">The base64 part before the dash.</param>
    /// <param name="partCount">N, 1 to 10,000.</param>
    public static bool TrySplitComposite(ReadOnlySpan<char> value, out ReadOnlySpan<char> checksum, out int partCount)
    {
        int dash = value.LastIndexOf('-');
        checksum = default;
        partCount = 0;
        if (dash <= 0
            || !int.TryParse(value[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out partCount)
            || partCount is < 1 or > 10_000)
        {
            partCount = 0;
            return false;
        }

        checksum = value[..dash];
        return true;
    }

    /// <inheritdoc />
    public void Dispose() => _composite?.Dispose();
}
