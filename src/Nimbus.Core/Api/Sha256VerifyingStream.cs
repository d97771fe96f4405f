using System.Security.Cryptography;
using Nimbus.Contracts.Errors;
using Nimbus.Core.Errors;

namespace Nimbus.Core.Api;

/// <summary>
/// A read-only pass-through over a streamed request body that hashes what it hands out and, when the body ends,
/// compares the SHA-256 with the one the request signed. A mismatch throws <c>BadDigest</c> (400) from the read that
/// reached the end, so a handler that reads to the end before committing anything never keeps a tampered upload.
/// </summary>
public sealed class Sha256VerifyingStream : Stream
{
    private readonly Stream _inner;
    private readonly byte[] _expected;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _length;
    private bool _verified;

    /// <param name="inner">The request body; required.</param>
    /// <param name="expectedHex">The signed hex SHA-256 of the body (64 characters); required.</param>
    public Sha256VerifyingStream(Stream inner, string expectedHex)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(expectedHex);
        _inner = inner;
        _expected = Convert.FromHexString(expectedHex);
    }

    /// <summary>Bytes read so far.</summary>
    public long BytesRead => _length;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => _length; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = _inner.Read(buffer);
        return Account(buffer[..read]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Account(buffer.Span[..read]);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Account(ReadOnlySpan<byte> data)
    {
        if (data.Length > 0)
        {
            _length += data.Length;
            _hash.AppendData(data);
            return data.Length;
        }

        if (!_verified)
        {
            Span<byte> actual = stackalloc byte[32];
            _hash.GetHashAndReset(actual);
            if (!CryptographicOperations.FixedTimeEquals(actual, _expected))
            {
                throw new NimbusException(ErrorCodes.BadDigest, 400, $"The body ({_length} bytes) does not match its signed x-amz-content-sha256; nothing was kept. Send it again.");
            }

            _verified = true;
        }

        return 0;
    }
}
