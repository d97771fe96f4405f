namespace Nimbus.Contracts.Signing;

/// <summary>
/// A read-only, forward-only stream that produces its bytes by transforming another one (aws-chunked
/// decoding and encoding). Every read, synchronous or not, goes through <see cref="ReadCoreAsync"/>.
/// </summary>
public abstract class ReadOnlyTransformStream : Stream
{
    /// <summary>True once the stream is disposed; set by the derived class's dispose.</summary>
    protected bool IsDisposed { get; set; }

    /// <inheritdoc />
    public override bool CanRead => !IsDisposed;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return ReadCoreAsync(buffer.AsMemory(offset, count), useAsync: false, CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return ReadCoreAsync(buffer.AsMemory(offset, count), useAsync: true, cancellationToken).AsTask();
    }

    /// <inheritdoc />
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ReadCoreAsync(buffer, useAsync: true, cancellationToken);

    /// <inheritdoc />
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>Reads up to <paramref name="destination"/>'s length of transformed bytes; 0 at the end.</summary>
    /// <param name="destination">Where the bytes go.</param>
    /// <param name="useAsync">False for the synchronous <see cref="Read(byte[], int, int)"/>: the inner stream is read synchronously.</param>
    /// <param name="ct">Cancels the read.</param>
    protected abstract ValueTask<int> ReadCoreAsync(Memory<byte> destination, bool useAsync, CancellationToken ct);
}
