using System.Buffers;
using System.Runtime.Intrinsics;
using Microsoft.Win32.SafeHandles;
using Nimbus.Storage.Engine.Md5;
using Nimbus.Contracts.Signing;

namespace Nimbus.Storage.Engine;

/// <summary>
/// A body being received into a new data file: written piece by piece from a pooled buffer (memory stays
/// at one block however large the body) while the CRC-32C of every block is computed. The body stream
/// (a <c>PayloadVerifyingStream</c>) computes the object checksum on the way, this class the MD5, and the
/// caller records them with <see cref="SetDigests"/>. The file is created under its final name in the data
/// directory: only the index makes a data file visible, so there is no rename. Its directory entry is synced
/// while the body arrives and its data as soon as the last byte is written (the last MD5 and the final checks
/// run meanwhile); <see cref="SealAsync"/> waits for both, and only then may the index commit refer to the
/// file. Disposing an unsealed upload removes the file; one left by a crash is unknown to the index and the
/// start-up sweep removes it (docs/storage-protocol.md, "Durability of a PUT").
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
    private Task<Exception?>? _directorySynced;
    private Task<Exception?>? _dataSynced;

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

    /// <summary>True when the file is written with O_DIRECT (bodies of more than one block, where the file system takes it).</summary>
    internal bool IsDirect { get; private set; }

    /// <summary>True when the body is held in memory, to be stored in the index row.</summary>
    public bool IsInline => _inline is not null;

    public Segment Segment => _inline is { } inline ? Segment.InlineOf(inline, BlockCrcs) : new(Id, Length, BlockCrcs);

    /// <summary>
    /// Receives exactly <paramref name="expectedLength"/> bytes from <paramref name="body"/>. Throws
    /// <see cref="IncompleteBodyException"/> when the body ends early or goes on past the length. With
    /// <paramref name="allowInline"/> (not for multipart parts, which stay files) a body of at most
    /// <see cref="InlineLimit"/> bytes is kept in memory for its index row. Without <paramref name="allowDirect"/> a file
    /// is always written through the page cache.
    /// </summary>
    public static async Task<IncomingData> ReceiveAsync(StorageLayout layout, Stream body, long expectedLength, bool allowInline, CancellationToken cancellationToken, bool allowDirect = true)
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
            // A body of more than one block is written with O_DIRECT where the file system takes it: the page-cache copy of
            // a buffered write was a third of the server's CPU at 64 MiB PUTs, 32 at once (docs/benchmarks.md, "Direct
            // writes"). Smaller bodies stay buffered: their writeback starts piece by piece while the rest arrives.
            var path = layout.PathOf(incoming.Id);
            var directHandle = expectedLength > StorageLayout.BlockSize && allowDirect ? NativeIo.TryCreateDirect(path, expectedLength) : null;
            incoming.IsDirect = directHandle is not null;
            incoming._handle = directHandle ?? File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.None, preallocationSize: expectedLength);

            // The new name must be durable before the commit refers to it; its directory sync overlaps the receive
            // instead of following the data sync.
            var directory = layout.DirectoryOf(incoming.Id);
            incoming._directorySynced = SyncThreads.Run(() => NativeIo.SyncDirectory(directory));
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
    /// Waits until the data file is durable: its data synced (started when the last byte was written) and its
    /// directory entry synced (started when it was created). Inline data needs nothing: the commit makes it durable.
    /// </summary>
    public async Task SealAsync()
    {
        if (_inline is not null)
        {
            return;
        }

        var dataFailure = await (_dataSynced ?? throw new InvalidOperationException("The body was not received.")).ConfigureAwait(false);
        var directoryFailure = await _directorySynced!.ConfigureAwait(false);
        if ((dataFailure ?? directoryFailure) is { } failure)
        {
            throw new IOException("The data file could not be made durable.", failure);
        }

        _handle!.Dispose();
        _handle = null;
        _sealed = true;
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
            File.Delete(_layout.PathOf(Id));
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
                File.Delete(_layout.PathOf(Id));
            }
            catch (IOException)
            {
            }
        }
    }

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
    /// Bytes hashed at a time, and for a buffered file written to the page cache at a time (and their writeback started,
    /// <see cref="NativeIo.StartWriteback"/>): the disk writes an upload while the rest arrives, so the final fdatasync
    /// has little left. With one write per 1 MiB block, a 1 MiB PUT gave the disk nothing before its fdatasync.
    /// </summary>
    private const int WriteUnit = 256 * 1024;

    /// <summary>Block buffers of a body of more than one block received alone (see <see cref="CopyAsync"/>).</summary>
    private const int LoneUploadBuffers = 6;

    private async Task CopyAsync(Stream body, long expectedLength, CancellationToken cancellationToken)
    {
        var blockCount = expectedLength == 0 ? 0 : (int)((expectedLength + StorageLayout.BlockSize - 1) / StorageLayout.BlockSize);
        var crcs = new uint[blockCount];
        var bufferSize = (int)Math.Min(Math.Max(expectedLength, 1), StorageLayout.BlockSize);

        // The MD5 of the ETag is taken from the verifying stream so that it is hashed as each piece arrives, off the
        // receive: on the shared hashing thread, side by side with the other uploads in flight (Md5Hasher), while the
        // piece is written, the next one arrives and, for the last piece, the data is synced. A body of one piece
        // (256 KiB) received alone is hashed inline, after its write, so that its sync runs meanwhile. A buffer is refilled only once its bytes were hashed (and, for a direct file,
        // written): bodies of more than one block take turns with two buffers, or six for an upload alone (below). The
        // verifying stream still checks Content-MD5 at the end. Without vector hardware (the lanes would be emulated) the
        // platform's MD5 hashes each piece inline.
        var verifying = body as PayloadVerifyingStream;
        var platformMd5 = verifying?.TakeMd5();
        using var md5 = platformMd5 is not null && Vector256.IsHardwareAccelerated ? Md5Hasher.Shared.CreateStream(inlineWhenAlone: expectedLength <= WriteUnit) : null;
        if (md5 is not null)
        {
            platformMd5!.Dispose();
            platformMd5 = null;
        }

        var direct = IsDirect;
        // An upload alone is hashed by one OpenSSL chain, slower than the receive: with more buffers the receive runs
        // further ahead, and the hashing thread does not wait for a buffer to be refilled after each block (64 MiB PUT
        // at c=1: 467-528 MB/s with two, 512-586 with six, in three A/B pairs). Uploads side by side share the lanes.
        var bufferCount = expectedLength <= StorageLayout.BlockSize ? 1 : md5?.Solo is not null ? Math.Min(blockCount, LoneUploadBuffers) : 2;
        var blocks = new AlignedBlocks.Block[bufferCount];
        for (var i = 0; i < bufferCount; i++)
        {
            blocks[i] = direct ? AlignedBlocks.Rent() : new AlignedBlocks.Block(ArrayPool<byte>.Shared.Rent(bufferSize), 0);
        }

        var hashedThrough = Enumerable.Repeat(Task.CompletedTask, bufferCount).ToArray();
        var writtenThrough = Enumerable.Repeat(s_noFailure, bufferCount).ToArray();
        var hashing = Task.CompletedTask;
        try
        {
            long offset = 0;
            var block = 0;
            var current = 0;
            while (offset < expectedLength)
            {
                var buffer = blocks[current].Array.AsMemory(blocks[current].Start, bufferSize);
                await hashedThrough[current].ConfigureAwait(false);
                ThrowIfFailed(await writtenThrough[current].ConfigureAwait(false));
                var want = (int)Math.Min(StorageLayout.BlockSize, expectedLength - offset);
                var filled = 0;
                var written = 0;
                while (filled < want)
                {
                    // At most one write unit at a time: a read returns what the connection holds (often a whole 1 MiB
                    // body), and the MD5 of its first piece should not wait for the copy of the rest.
                    var read = await body.ReadAsync(buffer[filled..Math.Min(want, written + WriteUnit)], cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        throw new IncompleteBodyException(expectedLength, offset + filled);
                    }

                    filled += read;
                    if (filled - written >= WriteUnit || filled == want)
                    {
                        // The piece goes to the hashing thread first, so that it is hashed while it is written (a 1 MiB
                        // body alone: MD5 done 500 µs sooner than written first; docs/benchmarks.md, "A lone 1 MiB PUT,
                        // traced").
                        if (md5 is { HashesInline: false })
                        {
                            hashing = md5.AppendAsync(buffer[written..filled]);
                        }

                        if (!direct)
                        {
                            // A synchronous pwrite into the page cache: the asynchronous one is the same call on another
                            // thread-pool thread plus two thread switches.
                            RandomAccess.Write(_handle!, buffer.Span[written..filled], offset + written);
                            NativeIo.StartWriteback(_handle!, offset + written, filled - written);
                            if (offset + filled == expectedLength)
                            {
                                // Everything is in the page cache: the sync starts now, and the MD5 of what is left and
                                // the final checks run meanwhile.
                                StartDataSync();
                            }
                        }

                        if (md5 is { HashesInline: true })
                        {
                            hashing = md5.AppendAsync(buffer[written..filled]);
                        }

                        platformMd5?.AppendData(buffer.Span[written..filled]);
                        written = filled;
                    }
                }

                hashedThrough[current] = hashing;
                crcs[block++] = Crc32C.Compute(buffer.Span[..want]);
                if (direct)
                {
                    writtenThrough[current] = WriteDirect(buffer, want, offset, expectedLength, writtenThrough);
                }

                offset += want;
                current = (current + 1) % bufferCount;
            }

            if (expectedLength == 0)
            {
                StartDataSync();
            }

            if (md5 is not null)
            {
                await hashing.ConfigureAwait(false);
                verifying!.CompleteMd5(md5.Finish());
            }
            else if (platformMd5 is not null)
            {
                verifying!.CompleteMd5(platformMd5.GetHashAndReset());
            }

            // The body must end here: one more byte means the client sent more than it declared. This last read
            // is also where a verifying body stream checks its digests, trailer and length.
            // (Into a byte of its own: a direct write may still read the buffers.)
            if (await body.ReadAsync(new byte[1], cancellationToken).ConfigureAwait(false) != 0)
            {
                throw new IncompleteBodyException(expectedLength, expectedLength + 1);
            }

            Length = expectedLength;
            BlockCrcs = crcs;
        }
        finally
        {
            // The hashing thread may still read a buffer, and a sync thread write one: both must be done before the
            // buffers go back to their pool.
            await hashing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await Task.WhenAll(writtenThrough).ConfigureAwait(false);
            platformMd5?.Dispose();
            foreach (var used in blocks)
            {
                if (direct)
                {
                    AlignedBlocks.Return(used);
                }
                else
                {
                    ArrayPool<byte>.Shared.Return(used.Array);
                }
            }
        }
    }

    private static readonly Task<Exception?> s_noFailure = Task.FromResult<Exception?>(null);

    private static void ThrowIfFailed(Exception? failure)
    {
        if (failure is not null)
        {
            throw new IOException("The upload's data could not be written.", failure);
        }
    }

    /// <summary>
    /// Writes a received block of a direct file on a sync thread: the kernel copies nothing into the page cache, the
    /// disk reads the buffer itself. A partial last block is padded with zeros to the alignment and the file cut back
    /// to its length. After the last block the data sync starts there too, once this write and the one before it
    /// and those still running from the other buffers (<paramref name="inFlight"/>) are done.
    /// </summary>
    private Task<Exception?> WriteDirect(Memory<byte> buffer, int length, long offset, long expectedLength, Task<Exception?>[] inFlight)
    {
        var handle = _handle!;
        var aligned = (length + NativeIo.DirectAlignment - 1) / NativeIo.DirectAlignment * NativeIo.DirectAlignment;
        buffer.Span[length..aligned].Clear();
        var last = offset + length == expectedLength;
        var write = SyncThreads.Run(() =>
        {
            RandomAccess.Write(handle, buffer.Span[..aligned], offset);
            if (last && aligned != length)
            {
                RandomAccess.SetLength(handle, expectedLength);
            }
        });
        if (last)
        {
            // A sync thread waits for the writes it follows: they were queued before it, so they already run on others.
            var earlier = inFlight.ToArray();
            _dataSynced = SyncThreads.Run(
                () =>
                {
                    ThrowIfFailed(earlier.Select(w => w.GetAwaiter().GetResult()).FirstOrDefault(f => f is not null) ?? write.GetAwaiter().GetResult());
                    NativeIo.SyncData(handle);
                },
                continueHere: true);
        }

        return write;
    }

    /// <summary>Starts the fdatasync of the whole file on a sync thread; <see cref="SealAsync"/> waits for it.</summary>
    private void StartDataSync()
    {
        var handle = _handle!;
        _dataSynced = SyncThreads.Run(() => NativeIo.SyncData(handle), continueHere: true);
    }
}

/// <summary>The body was shorter or longer than its declared length.</summary>
internal sealed class IncompleteBodyException(long expected, long received)
    : IOException($"The request body has {(received > expected ? "more" : "fewer")} bytes than the {expected} declared.")
{
    public bool TooLong => received > expected;
}
