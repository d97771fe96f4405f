using System.Security.Cryptography;

namespace Nimbus.Sdk.S3;

/// <summary>Passes an inner stream's bytes through while computing their MD5, to check the ETag of what was sent.</summary>
internal sealed class Md5ReadStream(Stream inner) : Stream
{
    private readonly IncrementalHash _md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
    private string? _digest;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => throw new NotSupportedException();
    }

    /// <summary>
    /// Lower-case hex MD5 of the bytes read, once the stream was read to its end (the handler may dispose the stream
    /// as soon as it has sent it, so the digest is taken then); null when it never was.
    /// </summary>
    public string? HexDigest() => _digest;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        Append(buffer[..n]);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Append(buffer.Span[..n]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private void Append(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            _digest ??= Convert.ToHexStringLower(_md5.GetHashAndReset());
            return;
        }

        _md5.AppendData(data);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            _md5.Dispose();
        }

        base.Dispose(disposing);
    }
}
