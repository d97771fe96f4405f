using System.Buffers;
using System.IO.Pipelines;
using Microsoft.Win32.SafeHandles;

namespace Nimbus.Storage.Engine;

/// <summary>
/// Streams a byte range of an object with every block verified before a byte of it leaves: whole
/// <see cref="StorageLayout.BlockSize"/> blocks are read into a pooled buffer, their CRC-32C compared with
/// the stored one, and only then the requested slice is written. Wrong bytes are never sent; a mismatch
/// throws <see cref="CorruptDataException"/>.
/// </summary>
internal static class ObjectReader
{
    /// <summary>
    /// Sends [<paramref name="start"/>, <paramref name="start"/> + <paramref name="length"/>) of the object to
    /// the response. The first block is read and verified in a pooled buffer before the response starts, so a
    /// corrupt object found there is still a clean 500; <paramref name="startResponse"/> is then called and the
    /// block copied out. Every later whole block is read straight into the response pipe's memory, verified there
    /// and only then committed (<see cref="PipeWriter.Advance"/>): no intermediate buffer and no copy into
    /// Kestrel's 4 KiB blocks (together about a quarter of the CPU of a 64 MiB GET before). The writer is
    /// flushed after every block for back-pressure, unless the response is a single block: then it leaves with its
    /// headers in one write when the request ends.
    /// </summary>
    public static async Task SendAsync(StorageLayout layout, IReadOnlyList<Segment> segments, long start, long length, PipeWriter output, Func<CancellationToken, Task> startResponse, CancellationToken cancellationToken)
    {
        var end = start + length;
        long segmentStart = 0;
        var remaining = length;
        var started = false;
        foreach (var segment in segments)
        {
            if (remaining <= 0)
            {
                break;
            }

            var segmentEnd = segmentStart + segment.Length;
            if (segmentEnd <= start)
            {
                segmentStart = segmentEnd;
                continue;
            }

            var from = Math.Max(start, segmentStart) - segmentStart;
            var to = Math.Min(end, segmentEnd) - segmentStart;
            if (segment.Inline is { } inline)
            {
                // Stored in the index row: verified in place, no file to open.
                Verify(segment, inline);
                if (!started)
                {
                    await startResponse(cancellationToken).ConfigureAwait(false);
                    started = true;
                }

                output.Write(inline.AsSpan((int)from, (int)(to - from)));
                remaining -= to - from;
                if (remaining > 0)
                {
                    var flushed = await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                    if (flushed.IsCanceled || flushed.IsCompleted)
                    {
                        throw new OperationCanceledException("The client went away.");
                    }
                }

                segmentStart = segmentEnd;
                continue;
            }

            using var handle = Open(layout, segment, sequential: to - from > StorageLayout.BlockSize);
            var block = (int)(from / StorageLayout.BlockSize);
            var lastBlock = (int)((to - 1) / StorageLayout.BlockSize);
            for (; block <= lastBlock; block++)
            {
                long blockStart = (long)block * StorageLayout.BlockSize;
                var blockLength = (int)Math.Min(StorageLayout.BlockSize, segment.Length - blockStart);
                var sliceStart = (int)(Math.Max(from, blockStart) - blockStart);
                var sliceEnd = (int)(Math.Min(to, blockStart + blockLength) - blockStart);
                if (started && sliceStart == 0 && sliceEnd == blockLength)
                {
                    var memory = output.GetMemory(blockLength)[..blockLength];
                    ReadBlock(handle, segment, block, blockStart, memory.Span, cancellationToken);
                    output.Advance(blockLength);
                }
                else
                {
                    var buffer = ArrayPool<byte>.Shared.Rent(blockLength);
                    try
                    {
                        ReadBlock(handle, segment, block, blockStart, buffer.AsSpan(0, blockLength), cancellationToken);
                        if (!started)
                        {
                            await startResponse(cancellationToken).ConfigureAwait(false);
                            started = true;
                        }

                        output.Write(buffer.AsSpan(sliceStart, sliceEnd - sliceStart));
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                    }
                }

                // A response of one block is left to Kestrel, which sends it with the headers when the request
                // ends. Once anything was flushed, Kestrel's end of response does not send what is still buffered
                // (measured: a 64 MiB GET lost its last MiB), so every block of a longer response is flushed.
                // With inline scheduling the flush runs the socket send on this thread: the read of the next
                // block follows the send of this one (see docs/benchmarks.md on why no read-ahead thread).
                remaining -= sliceEnd - sliceStart;
                if (remaining > 0 || sliceEnd - sliceStart < length)
                {
                    var flushed = await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                    if (flushed.IsCanceled || flushed.IsCompleted)
                    {
                        throw new OperationCanceledException("The client went away.");
                    }
                }
            }

            segmentStart = segmentEnd;
        }
    }

    /// <summary>
    /// Reads one whole block into <paramref name="memory"/> and verifies its CRC-32C. The read is a synchronous
    /// <c>pread</c> on the request's thread: on Linux an asynchronous read of a regular file is the same
    /// <c>pread</c> handed to another thread-pool thread, so it blocks a thread all the same and adds two thread
    /// switches per block (the top kernel symbol of a GET profile); page-cache hits are the common case.
    /// </summary>
    private static void ReadBlock(SafeFileHandle handle, Segment segment, int block, long blockStart, Span<byte> memory, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var filled = 0;
        while (filled < memory.Length)
        {
            var read = RandomAccess.Read(handle, memory[filled..], blockStart + filled);
            if (read == 0)
            {
                throw new CorruptDataException(segment.Id, block, "the data file is shorter than recorded");
            }

            filled += read;
        }

        if (block >= segment.BlockCrcs.Length || Crc32C.Compute(memory) != segment.BlockCrcs[block])
        {
            throw new CorruptDataException(segment.Id, block, "block checksum mismatch");
        }
    }

    /// <summary>Checks an inline segment's bytes against the CRC-32C of its one block (none for an empty object).</summary>
    private static void Verify(Segment segment, byte[] inline)
    {
        if (inline.Length != segment.Length || segment.BlockCrcs.Length != (inline.Length == 0 ? 0 : 1)
            || (inline.Length > 0 && Crc32C.Compute(inline) != segment.BlockCrcs[0]))
        {
            throw new CorruptDataException(segment.Id, 0, "inline data checksum mismatch");
        }
    }

    /// <summary>
    /// Opens a data file for reading with one <c>open</c>. <see cref="File.OpenHandle(string, FileMode, FileAccess, FileShare, FileOptions, long)"/>
    /// adds an <c>fstat</c>, an advisory <c>flock</c> taken after the open and released before the close, and an
    /// <c>fadvise</c>: a 1 MiB GET made seven file system calls (strace), now four (<c>open</c>, the <c>lseek</c> with
    /// which <see cref="RandomAccess"/> checks the handle once, <c>pread</c>, <c>close</c>). A committed data file is
    /// never written again, so the lock protected nothing. <paramref name="sequential"/> (more than one block to read)
    /// still asks the kernel for its larger read-ahead window.
    /// </summary>
    private static SafeFileHandle Open(StorageLayout layout, Segment segment, bool sequential)
    {
        try
        {
            return NativeIo.OpenForRead(layout.PathOf(segment.Id), sequential);
        }
        catch (FileNotFoundException ex)
        {
            throw new DataMissingException(segment.Id, ex);
        }
    }

    /// <summary>Copies [<paramref name="start"/>, <paramref name="start"/> + <paramref name="length"/>) of the object to <paramref name="output"/> (null: verify only).</summary>
    public static async Task CopyAsync(StorageLayout layout, IReadOnlyList<Segment> segments, long start, long length, Stream? output, CancellationToken cancellationToken)
    {
        if (length <= 0)
        {
            return;
        }

        var end = start + length;
        long segmentStart = 0;
        byte[]? buffer = null;
        try
        {
            foreach (var segment in segments)
            {
                var segmentEnd = segmentStart + segment.Length;
                if (segmentEnd <= start)
                {
                    segmentStart = segmentEnd;
                    continue;
                }

                if (segmentStart >= end)
                {
                    break;
                }

                buffer ??= ArrayPool<byte>.Shared.Rent((int)Math.Min(StorageLayout.BlockSize, Math.Max(1, segments.Count == 1 ? segment.Length : StorageLayout.BlockSize)));
                var from = Math.Max(start, segmentStart) - segmentStart;
                var to = Math.Min(end, segmentEnd) - segmentStart;
                await CopySegmentAsync(layout, segment, from, to, buffer, output, cancellationToken).ConfigureAwait(false);
                segmentStart = segmentEnd;
            }
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private static async Task CopySegmentAsync(StorageLayout layout, Segment segment, long from, long to, byte[] buffer, Stream? output, CancellationToken cancellationToken)
    {
        if (segment.Inline is { } inline)
        {
            Verify(segment, inline);
            if (output is not null)
            {
                await output.WriteAsync(inline.AsMemory((int)from, (int)(to - from)), cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(layout.PathOf(segment.Id), FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        }
        catch (FileNotFoundException ex)
        {
            throw new DataMissingException(segment.Id, ex);
        }

        using (handle)
        {
            var block = (int)(from / StorageLayout.BlockSize);
            var lastBlock = (int)((to - 1) / StorageLayout.BlockSize);
            for (; block <= lastBlock; block++)
            {
                long blockStart = (long)block * StorageLayout.BlockSize;
                var blockLength = (int)Math.Min(StorageLayout.BlockSize, segment.Length - blockStart);
                var memory = buffer.AsMemory(0, blockLength);
                var filled = 0;
                while (filled < blockLength)
                {
                    var read = await RandomAccess.ReadAsync(handle, memory[filled..], blockStart + filled, cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        throw new CorruptDataException(segment.Id, block, "the data file is shorter than recorded");
                    }

                    filled += read;
                }

                if (block >= segment.BlockCrcs.Length || Crc32C.Compute(memory.Span) != segment.BlockCrcs[block])
                {
                    throw new CorruptDataException(segment.Id, block, "block checksum mismatch");
                }

                if (output is not null)
                {
                    var sliceStart = (int)(Math.Max(from, blockStart) - blockStart);
                    var sliceEnd = (int)(Math.Min(to, blockStart + blockLength) - blockStart);
                    await output.WriteAsync(memory[sliceStart..sliceEnd], cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }
}

/// <summary>Stored data failed verification: the object is corrupt (bitrot, a truncated or altered file).</summary>
internal sealed class CorruptDataException(DataId id, int block, string reason)
    : IOException($"Data file {id} block {block}: {reason}.")
{
    public DataId DataId { get; } = id;
}

/// <summary>A data file the index references is missing (replaced concurrently, or lost).</summary>
internal sealed class DataMissingException(DataId id, Exception inner)
    : IOException($"Data file {id} is missing.", inner)
{
    public DataId DataId { get; } = id;
}
