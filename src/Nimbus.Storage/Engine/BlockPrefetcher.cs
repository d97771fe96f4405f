using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Nimbus.Storage.Engine;

/// <summary>
/// Reads and verifies the next block of a GET on a thread-pool thread while the request's thread sends the current
/// one. With Kestrel's inline scheduling the flush of a block runs the socket send on the request's own thread, so
/// without this the <c>pread</c> and CRC-32C of block N+1 and the <c>sendto</c> of block N take turns (strace of a
/// 64 MiB GET: 0.25 ms of read and check, then 0.3–0.5 ms of send, per block, one thread). The block is read into a
/// pooled buffer and verified there, and copied into the response pipe only once its CRC matched: the response
/// pipe's memory cannot be held across a flush (the pipe may hand an empty write head back to its pool when the send
/// consumes everything), so the overlap costs one user-space copy of the block. It pays only when a core is free
/// for it, so it is used while at most <see cref="ConcurrentLimit"/> multi-block responses are being sent;
/// beyond that the request's thread reads straight into the pipe as before.
/// </summary>
internal sealed class BlockPrefetcher(SafeFileHandle handle, Segment segment) : IAsyncDisposable
{
    /// <summary>Multi-block responses in flight up to which their next blocks are prefetched (settable for tests).</summary>
    internal static int ConcurrentLimit { get; set; } = Environment.GetEnvironmentVariable("NIMBUS_S3_PREFETCH_LIMIT") is { } limit
        ? int.Parse(limit, System.Globalization.CultureInfo.InvariantCulture)
        : Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>Blocks a response may find still being read before it gives the prefetch up (settable for tests).</summary>
    internal static int MissLimit { get; set; } = 2;

    /// <summary>Blocks taken from a prefetch since the process started (tests check the path ran).</summary>
    internal static long BlocksPrefetched => Interlocked.Read(ref s_prefetched);

    private static long s_prefetched;

    private static int s_sending;

    private byte[]? _buffer;
    private Task? _pending;
    private int _pendingBlock = -1;
    private bool _counted;
    private int _misses;

    /// <summary>Starts reading <paramref name="block"/> (a whole block) into the buffer, if few responses are in flight.</summary>
    public void Prefetch(int block, CancellationToken cancellationToken)
    {
        if (_pending is not null)
        {
            return;
        }

        if (!_counted)
        {
            _counted = true;
            Interlocked.Increment(ref s_sending);
        }

        if (_misses >= MissLimit || Volatile.Read(ref s_sending) > ConcurrentLimit)
        {
            return;
        }

        long blockStart = (long)block * StorageLayout.BlockSize;
        var blockLength = (int)Math.Min(StorageLayout.BlockSize, segment.Length - blockStart);
        var buffer = _buffer ??= ArrayPool<byte>.Shared.Rent(StorageLayout.BlockSize);
        _pendingBlock = block;
        _pending = Task.Run(() => ObjectReader.ReadBlock(handle, segment, block, blockStart, buffer.AsSpan(0, blockLength), cancellationToken), cancellationToken);
    }

    /// <summary>
    /// Copies the prefetched <paramref name="block"/> into <paramref name="destination"/> once it was read and
    /// verified (its failure is thrown here); false when that block was not prefetched.
    /// </summary>
    public async ValueTask<bool> TryTakeAsync(int block, Memory<byte> destination)
    {
        if (_pending is not { } pending)
        {
            return false;
        }

        _pending = null;
        if (_pendingBlock != block)
        {
            await pending.ConfigureAwait(false);
            return false;
        }

        if (!pending.IsCompleted)
        {
            _misses++;
        }

        await pending.ConfigureAwait(false);
        _buffer.AsSpan(0, destination.Length).CopyTo(destination.Span);
        Interlocked.Increment(ref s_prefetched);
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        if (_counted)
        {
            _counted = false;
            Interlocked.Decrement(ref s_sending);
        }

        if (_pending is { } pending)
        {
            _pending = null;
            try
            {
                await pending.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The response already failed or was cancelled; this read's outcome no longer matters.
            }
        }

        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
