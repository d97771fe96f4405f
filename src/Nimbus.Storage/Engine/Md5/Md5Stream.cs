using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Nimbus.Storage.Engine.Md5;

/// <summary>
/// The MD5 of one message whose bytes are hashed by the shared <see cref="Md5Hasher"/>, side by side with other
/// messages. <see cref="AppendAsync"/> queues the next bytes (in order; the task completes once they are hashed and
/// the caller may reuse their memory); <see cref="Finish"/> pads and returns the digest once every append completed.
/// A stream begun while no other is in flight is hashed by the platform's MD5 (OpenSSL) on the hasher's thread: one
/// message alone gains nothing from the lanes, and OpenSSL's single chain costs less CPU than one lane of eight.
/// </summary>
internal sealed class Md5Stream : IDisposable
{
    private readonly Md5Hasher _hasher;
    private readonly byte[] _carry = new byte[Md5Core.BlockSize];
    private int _carryLength;
    private long _length;
    private bool _finished;

    private bool _disposed;

    private readonly bool _soloInline;

    /// <summary>True when <see cref="AppendAsync"/> hashes on the caller's thread before it returns.</summary>
    internal bool HashesInline => _soloInline;

    internal Md5Stream(Md5Hasher hasher, bool solo, bool soloInline)
    {
        _hasher = hasher;
        _soloInline = solo && soloInline;
#pragma warning disable CA5351 // S3's ETag, not a security measure
        Solo = solo ? IncrementalHash.CreateHash(HashAlgorithmName.MD5) : null;
#pragma warning restore CA5351
    }

    /// <summary>The platform's MD5, for a stream that is hashed alone; null for one hashed in a lane.</summary>
    internal IncrementalHash? Solo { get; }

    internal Md5State State = Md5State.Initial;

    /// <summary>Pieces waiting for the hasher, in order; guarded by the hasher's lock.</summary>
    internal readonly Queue<Piece> Pending = new();

    /// <summary>True while the stream is in the hasher's ready queue or in a lane; guarded by the hasher's lock.</summary>
    internal bool Scheduled;

    /// <summary>
    /// Queues <paramref name="data"/> to be hashed after everything appended before. The memory must stay unchanged
    /// until the returned task completes.
    /// </summary>
    public Task AppendAsync(ReadOnlyMemory<byte> data)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        if (data.IsEmpty)
        {
            return Task.CompletedTask;
        }

        if (_soloInline)
        {
            Solo!.AppendData(data.Span);
            return Task.CompletedTask;
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _hasher.Enqueue(this, new Piece(data, done));
        return done.Task;
    }

    /// <summary>The 16-byte digest of everything appended; call once every append's task completed.</summary>
    public byte[] Finish()
    {
        _finished = true;
        if (Solo is not null)
        {
            return Solo.GetHashAndReset();
        }

        Span<byte> tail = stackalloc byte[2 * Md5Core.BlockSize];
        tail.Clear();
        _carry.AsSpan(0, _carryLength).CopyTo(tail);
        tail[_carryLength] = 0x80;
        var tailLength = _carryLength + 1 + 8 <= Md5Core.BlockSize ? Md5Core.BlockSize : 2 * Md5Core.BlockSize;
        BinaryPrimitives.WriteUInt64LittleEndian(tail[(tailLength - 8)..], (ulong)_length * 8);
        for (var offset = 0; offset < tailLength; offset += Md5Core.BlockSize)
        {
            Md5Core.Compress(ref State, tail.Slice(offset, Md5Core.BlockSize));
        }

        var digest = new byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(digest, State.A);
        BinaryPrimitives.WriteUInt32LittleEndian(digest.AsSpan(4), State.B);
        BinaryPrimitives.WriteUInt32LittleEndian(digest.AsSpan(8), State.C);
        BinaryPrimitives.WriteUInt32LittleEndian(digest.AsSpan(12), State.D);
        return digest;
    }

    /// <summary>
    /// On the hasher's thread, before a piece's whole blocks go through a lane: completes a block begun by earlier
    /// pieces and returns how many leading bytes of <paramref name="data"/> that took.
    /// </summary>
    internal int TakeHead(ReadOnlySpan<byte> data)
    {
        _length += data.Length;
        if (_carryLength == 0)
        {
            return 0;
        }

        var take = Math.Min(Md5Core.BlockSize - _carryLength, data.Length);
        data[..take].CopyTo(_carry.AsSpan(_carryLength));
        _carryLength += take;
        if (_carryLength == Md5Core.BlockSize)
        {
            Md5Core.Compress(ref State, _carry);
            _carryLength = 0;
        }

        return take;
    }

    /// <summary>On the hasher's thread, after a piece's whole blocks: keeps its last, partial block.</summary>
    internal void KeepTail(ReadOnlySpan<byte> tail)
    {
        tail.CopyTo(_carry.AsSpan(_carryLength));
        _carryLength += tail.Length;
    }

    /// <summary>Ends the stream's count as in flight; call once its last append completed (or never will be waited for).</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _finished = true;
            _hasher.Ended();
            Solo?.Dispose();
        }
    }

    internal readonly record struct Piece(ReadOnlyMemory<byte> Data, TaskCompletionSource Done);
}
