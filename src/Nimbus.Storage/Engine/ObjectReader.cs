using System.Buffers;
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
