using System.Buffers;
using Microsoft.Win32.SafeHandles;
using Nimbus.Contracts.Signing;

namespace Nimbus.Storage.Engine;

/// <summary>
/// A body being received into a temporary file: written block by block from a pooled buffer (memory stays
/// at one block however large the body) while the CRC-32C of every block is computed. The body stream
/// (a <c>PayloadVerifyingStream</c>) computes the MD5 and the object checksum on the way and the caller
/// records them with <see cref="SetDigests"/>. <see cref="Seal"/> fsyncs the file and renames it into
/// the data directory; until then nothing is visible, and disposing an unsealed upload removes the file.
/// A body of at most <see cref="InlineLimit"/> bytes may instead be received into memory and stored inline in its
/// index row (<see cref="Segment.Inline"/>): no file, no file fsync, no rename, no directory fsync; the index
/// commit (a WAL fsync shared by the batch) makes it durable.
/// </summary>
internal sealed class IncomingData : IDisposable
{
    private readonly StorageLayout _layout;
    private SafeFileHandle? _handle;
    private byte[]? _inline;
    private bool _sealed;

    /// <summary>
    /// Objects up to this size are stored in the index row. A 4 KiB PUT then costs one group-committed WAL fsync
    /// instead of a file fsync, a rename and a directory fsync plus the commit; a small GET needs no
    /// open/pread/close. Larger objects would write their bytes twice (WAL, then checkpoint) and bloat the index.
    /// </summary>
    public const int InlineLimit = 32 * 1024;

    private IncomingData(StorageLayout layout, DataId id)
    {
        _layout = layout;
        Id = id;
    }

    public DataId Id { get; }

    public long Length { get; private set; }

    /// <summary>The body's MD5 (the ETag of a single-part object).</summary>
    public byte[] Md5 { get; private set; } = [];

    /// <summary>The object's additional checksum, when one was computed.</summary>
    public ObjectChecksum? Checksum { get; private set; }

    public uint[] BlockCrcs { get; private set; } = [];

    /// <summary>True when the body is held in memory, to be stored in the index row.</summary>
    public bool IsInline => _inline is not null;

    public Segment Segment => _inline is { } inline ? Segment.InlineOf(inline, BlockCrcs) : new(Id, Length, BlockCrcs);

    /// <summary>
    /// Receives exactly <paramref name="expectedLength"/> bytes from <paramref name="body"/>. Throws
    /// <see cref="IncompleteBodyException"/> when the body ends early or goes on past the length. With
    /// <paramref name="allowInline"/> (not for multipart parts, which stay files) a body of at most
    /// <see cref="InlineLimit"/> bytes is kept in memory for its index row.
    /// </summary>
    public static async Task<IncomingData> ReceiveAsync(StorageLayout layout, Stream body, long expectedLength, bool allowInline, CancellationToken cancellationToken)
    {
        if (allowInline && expectedLength <= InlineLimit)
        {
            var small = new IncomingData(layout, default);
            await small.ReceiveInlineAsync(body, (int)expectedLength, cancellationToken).ConfigureAwait(false);
            return small;
        }

        var incoming = new IncomingData(layout, DataId.New());
        try
        {
            incoming._handle = File.OpenHandle(layout.TempPathOf(incoming.Id), FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.None, preallocationSize: expectedLength);
            await incoming.CopyAsync(body, expectedLength, cancellationToken).ConfigureAwait(false);
            return incoming;
        }
        catch
        {
            incoming.Dispose();
            throw;
        }
    }

    /// <summary>Records the digests the body stream computed once it was read to its end and verified.</summary>
    public void SetDigests(ReadOnlyMemory<byte>? md5, ObjectChecksum? checksum)
    {
        Md5 = md5?.ToArray() ?? throw new InvalidOperationException("The body stream computed no MD5.");
        Checksum = checksum;
    }

    /// <summary>
    /// Makes the data durable under its final name: fdatasync, close, rename. Returns the directory to fsync before
    /// the index commit; null for inline data, which the commit itself makes durable.
    /// </summary>
    public string? Seal()
    {
        if (_inline is not null)
        {
            return null;
        }

        NativeIo.SyncData(_handle!);
        _handle!.Dispose();
        _handle = null;
        File.Move(_layout.TempPathOf(Id), _layout.PathOf(Id));
        _sealed = true;
        return _layout.DirectoryOf(Id);
    }

    /// <summary>Removes a sealed file whose commit failed (the index never referenced it).</summary>
    public void Discard()
    {
        if (_inline is not null)
        {
            return;
        }

        try
        {
            File.Delete(_sealed ? _layout.PathOf(Id) : _layout.TempPathOf(Id));
        }
        catch (IOException)
        {
            // Start-up cleaning removes what is left.
        }
    }

    public void Dispose()
    {
        _handle?.Dispose();
        _handle = null;
        if (!_sealed && _inline is null)
        {
            try
            {
                File.Delete(_layout.TempPathOf(Id));
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>
    /// Bodies longer than this (more than one block) hash their MD5 on another thread while the next block arrives;
    /// a body of one block hashes it inline, as it is read: handing it over saved no CPU and cost thread switches.
    /// </summary>
    private const int PipelinedHashThreshold = StorageLayout.BlockSize;

    /// <summary>
    /// Bytes handed to the hashing thread at a time: a whole block, one hand-over per MiB (256 KiB units were four,
    /// each a thread wake-up, for the same hashing).
    /// </summary>
    private const int HashUnit = StorageLayout.BlockSize;

    private async Task ReceiveInlineAsync(Stream body, int expectedLength, CancellationToken cancellationToken)
    {
        var data = new byte[expectedLength];
        var filled = 0;
        while (filled < expectedLength)
        {
            var read = await body.ReadAsync(data.AsMemory(filled), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IncompleteBodyException(expectedLength, filled);
            }

            filled += read;
        }

        // The body must end here; this last read is also where a verifying body stream checks its digests,
        // trailer and length.
        if (await body.ReadAsync(new byte[1], cancellationToken).ConfigureAwait(false) != 0)
        {
            throw new IncompleteBodyException(expectedLength, expectedLength + 1L);
        }

        _inline = data;
        Length = expectedLength;
        BlockCrcs = expectedLength == 0 ? [] : [Crc32C.Compute(data)];
    }

    /// <summary>
    /// Every this many bytes written, writeback of them starts (<see cref="NativeIo.StartWriteback"/>): the disk
    /// writes a large upload while it arrives instead of all of it in the final fdatasync.
    /// </summary>
    private const long WritebackUnit = 8L * StorageLayout.BlockSize;

    private async Task CopyAsync(Stream body, long expectedLength, CancellationToken cancellationToken)
    {
        var blockCount = expectedLength == 0 ? 0 : (int)((expectedLength + StorageLayout.BlockSize - 1) / StorageLayout.BlockSize);
        var crcs = new uint[blockCount];
        var bufferSize = (int)Math.Min(Math.Max(expectedLength, 1), StorageLayout.BlockSize);

        // The MD5 of the ETag is serial and was a third of a large PUT's CPU on the receiving thread: for large
        // bodies it runs on another thread, one unit behind the receive, over two alternating buffers (a buffer
        // is refilled only once its bytes were hashed). The verifying stream still checks Content-MD5 at the end.
        var verifying = body as PayloadVerifyingStream;
        using var md5 = expectedLength > PipelinedHashThreshold ? verifying?.TakeMd5() : null;
        byte[][] buffers = md5 is null ? [ArrayPool<byte>.Shared.Rent(bufferSize)] : [ArrayPool<byte>.Shared.Rent(bufferSize), ArrayPool<byte>.Shared.Rent(bufferSize)];
        Task[] hashedThrough = [Task.CompletedTask, Task.CompletedTask];
        var hashing = Task.CompletedTask;
        try
        {
            long offset = 0;
            var block = 0;
            var current = 0;
            while (offset < expectedLength)
            {
                var buffer = buffers[current];
                await hashedThrough[current].ConfigureAwait(false);
                var want = (int)Math.Min(StorageLayout.BlockSize, expectedLength - offset);
                var filled = 0;
                var hashed = 0;
                while (filled < want)
                {
                    var read = await body.ReadAsync(buffer.AsMemory(filled, want - filled), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        throw new IncompleteBodyException(expectedLength, offset + filled);
                    }

                    filled += read;
                    if (md5 is not null && (filled - hashed >= HashUnit || filled == want))
                    {
                        hashing = HashAfterAsync(hashing, md5, buffer.AsMemory(hashed, filled - hashed));
                        hashed = filled;
                    }
                }

                hashedThrough[current] = hashing;
                var span = buffer.AsSpan(0, want);
                crcs[block++] = Crc32C.Compute(span);

                // A synchronous pwrite into the page cache: the asynchronous one is the same call on another
                // thread-pool thread plus two thread switches per block.
                RandomAccess.Write(_handle!, span, offset);
                offset += want;
                if (offset % WritebackUnit == 0)
                {
                    NativeIo.StartWriteback(_handle!, offset - WritebackUnit, WritebackUnit);
                }
                current = (current + 1) % buffers.Length;
            }

            if (md5 is not null)
            {
                await hashing.ConfigureAwait(false);
                verifying!.CompleteMd5(md5.GetHashAndReset());
            }

            // The body must end here: one more byte means the client sent more than it declared. This last read
            // is also where a verifying body stream checks its digests, trailer and length.
            if (await body.ReadAsync(buffers[0].AsMemory(0, 1), cancellationToken).ConfigureAwait(false) != 0)
            {
                throw new IncompleteBodyException(expectedLength, expectedLength + 1);
            }

            Length = expectedLength;
            BlockCrcs = crcs;
        }
        finally
        {
            // A hashing task may still read a buffer: it must end before the buffers go back to the pool.
            await hashing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            foreach (var buffer in buffers)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private static Task HashAfterAsync(Task previous, System.Security.Cryptography.IncrementalHash md5, ReadOnlyMemory<byte> data) =>
        Task.Run(async () =>
        {
            await previous.ConfigureAwait(false);
            md5.AppendData(data.Span);
        });
}

/// <summary>The body was shorter or longer than its declared length.</summary>
internal sealed class IncompleteBodyException(long expected, long received)
    : IOException($"The request body has {(received > expected ? "more" : "fewer")} bytes than the {expected} declared.")
{
    public bool TooLong => received > expected;
}
