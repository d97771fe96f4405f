using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Nimbus.Contracts.Checksums;

/// <summary>
/// A checksum computed piece by piece over a stream of bytes, for any <see cref="ChecksumAlgorithm"/>.
/// Digests come out big-endian, the byte order S3 renders in base64. Not thread-safe; dispose to release
/// the native hash context of SHA1/SHA256.
/// </summary>
public abstract class IncrementalChecksum : IDisposable
{
    private protected IncrementalChecksum(ChecksumAlgorithm algorithm)
    {
        Algorithm = algorithm;
        HashLengthInBytes = ChecksumAlgorithms.GetHashSize(algorithm);
    }

    /// <summary>The algorithm.</summary>
    public ChecksumAlgorithm Algorithm { get; }

    /// <summary>Digest size in bytes.</summary>
    public int HashLengthInBytes { get; }

    /// <summary>Bytes appended since creation or the last <see cref="Reset"/>.</summary>
    public long Length { get; private set; }

    /// <summary>Creates an empty checksum of <paramref name="algorithm"/>.</summary>
    /// <param name="algorithm">A defined algorithm.</param>
    public static IncrementalChecksum Create(ChecksumAlgorithm algorithm) => algorithm switch
    {
        ChecksumAlgorithm.Crc32 => new Crc32Checksum(),
        ChecksumAlgorithm.Crc32C => new Crc32CChecksum(),
        ChecksumAlgorithm.Crc64Nvme => new Crc64NvmeChecksum(),
        ChecksumAlgorithm.Sha1 => new HashChecksum(ChecksumAlgorithm.Sha1, HashAlgorithmName.SHA1),
        ChecksumAlgorithm.Sha256 => new HashChecksum(ChecksumAlgorithm.Sha256, HashAlgorithmName.SHA256),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unknown checksum algorithm."),
    };

    /// <summary>Adds the next bytes.</summary>
    /// <param name="data">Bytes that follow those appended so far.</param>
    public void Append(ReadOnlySpan<byte> data)
    {
        AppendCore(data);
        Length += data.Length;
    }

    /// <summary>Writes the digest of the bytes appended so far (big-endian) without resetting.</summary>
    /// <param name="destination">At least <see cref="HashLengthInBytes"/> bytes.</param>
    /// <returns>The number of bytes written: <see cref="HashLengthInBytes"/>.</returns>
    public int GetCurrentHash(Span<byte> destination)
    {
        if (destination.Length < HashLengthInBytes)
        {
            throw new ArgumentException($"The destination needs {HashLengthInBytes} bytes.", nameof(destination));
        }

        GetCurrentHashCore(destination);
        return HashLengthInBytes;
    }

    /// <summary>The digest of the bytes appended so far (big-endian), without resetting.</summary>
    public byte[] GetCurrentHash()
    {
        byte[] digest = new byte[HashLengthInBytes];
        GetCurrentHashCore(digest);
        return digest;
    }

    /// <summary>The digest of the bytes appended so far as S3 renders it: base64.</summary>
    public string GetBase64()
    {
        Span<byte> digest = stackalloc byte[32];
        GetCurrentHashCore(digest);
        return Convert.ToBase64String(digest[..HashLengthInBytes]);
    }

    /// <summary>True when the digest so far equals <paramref name="digest"/>.</summary>
    /// <param name="digest">The expected digest, big-endian.</param>
    public bool Matches(ReadOnlySpan<byte> digest)
    {
        Span<byte> actual = stackalloc byte[32];
        GetCurrentHashCore(actual);
        return digest.SequenceEqual(actual[..HashLengthInBytes]);
    }

    /// <summary>Starts over, as if just created.</summary>
    public void Reset()
    {
        ResetCore();
        Length = 0;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases native resources (SHA contexts); CRCs hold none.</summary>
    /// <param name="disposing">True when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
    }

    private protected abstract void AppendCore(ReadOnlySpan<byte> data);

    private protected abstract void GetCurrentHashCore(Span<byte> destination);

    private protected abstract void ResetCore();

    private sealed class Crc32Checksum() : IncrementalChecksum(ChecksumAlgorithm.Crc32)
    {
        // System.IO.Hashing's CRC-32 is the IEEE one, vectorized with carry-less multiplication.
        private readonly System.IO.Hashing.Crc32 _crc = new();

        private protected override void AppendCore(ReadOnlySpan<byte> data) => _crc.Append(data);

        private protected override void GetCurrentHashCore(Span<byte> destination) =>
            BinaryPrimitives.WriteUInt32BigEndian(destination, _crc.GetCurrentHashAsUInt32());

        private protected override void ResetCore() => _crc.Reset();
    }

    private sealed class Crc32CChecksum() : IncrementalChecksum(ChecksumAlgorithm.Crc32C)
    {
        private uint _crc;

        private protected override void AppendCore(ReadOnlySpan<byte> data) => _crc = Crc32C.Append(_crc, data);

        private protected override void GetCurrentHashCore(Span<byte> destination) => BinaryPrimitives.WriteUInt32BigEndian(destination, _crc);

        private protected override void ResetCore() => _crc = 0;
    }

    private sealed class Crc64NvmeChecksum() : IncrementalChecksum(ChecksumAlgorithm.Crc64Nvme)
    {
        private ulong _crc;

        private protected override void AppendCore(ReadOnlySpan<byte> data) => _crc = Crc64Nvme.Append(_crc, data);

        private protected override void GetCurrentHashCore(Span<byte> destination) => BinaryPrimitives.WriteUInt64BigEndian(destination, _crc);

        private protected override void ResetCore() => _crc = 0;
    }

    private sealed class HashChecksum(ChecksumAlgorithm algorithm, HashAlgorithmName name) : IncrementalChecksum(algorithm)
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(name);

        private protected override void AppendCore(ReadOnlySpan<byte> data) => _hash.AppendData(data);

        private protected override void GetCurrentHashCore(Span<byte> destination) => _hash.GetCurrentHash(destination);

        private protected override void ResetCore()
        {
            Span<byte> discard = stackalloc byte[32];
            _hash.GetHashAndReset(discard);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _hash.Dispose();
            }
        }
    }
}
