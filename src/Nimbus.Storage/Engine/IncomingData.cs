using System.Buffers;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace Nimbus.Storage.Engine;

/// <summary>
/// A body being received into a temporary file: written block by block from a pooled buffer (memory stays
/// at one block however large the body), while its MD5 (the ETag), optionally its SHA-256 (a signed payload)
/// and the CRC-32C of every block are computed. <see cref="Seal"/> fsyncs the file and renames it into
/// the data directory; until then nothing is visible, and disposing an unsealed upload removes the file.
/// </summary>
internal sealed class IncomingData : IDisposable
{
    private readonly StorageLayout _layout;
    private SafeFileHandle? _handle;
    private bool _sealed;

    private IncomingData(StorageLayout layout, DataId id)
    {
        _layout = layout;
        Id = id;
    }

    public DataId Id { get; }

    public long Length { get; private set; }

    public byte[] Md5 { get; private set; } = [];

    /// <summary>Lower-case hex SHA-256 of the body, when asked for.</summary>
    public string? Sha256 { get; private set; }

    public uint[] BlockCrcs { get; private set; } = [];

    public Segment Segment => new(Id, Length, BlockCrcs);

    /// <summary>
    /// Receives exactly <paramref name="expectedLength"/> bytes from <paramref name="body"/>. Throws
    /// <see cref="IncompleteBodyException"/> when the body ends early or goes on past the length.
    /// </summary>
    public static async Task<IncomingData> ReceiveAsync(StorageLayout layout, Stream body, long expectedLength, bool sha256, CancellationToken cancellationToken)
    {
        var incoming = new IncomingData(layout, DataId.New());
        try
        {
            incoming._handle = File.OpenHandle(layout.TempPathOf(incoming.Id), FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.None, preallocationSize: expectedLength);
            await incoming.CopyAsync(body, expectedLength, sha256, cancellationToken).ConfigureAwait(false);
            return incoming;
        }
        catch
        {
            incoming.Dispose();
            throw;
        }
    }

    /// <summary>Makes the data durable under its final name: fdatasync, close, rename. Returns the directory to fsync before the index commit.</summary>
    public string Seal()
    {
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
        if (!_sealed)
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

    private async Task CopyAsync(Stream body, long expectedLength, bool sha256, CancellationToken cancellationToken)
    {
        var blockCount = expectedLength == 0 ? 0 : (int)((expectedLength + StorageLayout.BlockSize - 1) / StorageLayout.BlockSize);
        var crcs = new uint[blockCount];
        var bufferSize = (int)Math.Min(Math.Max(expectedLength, 1), StorageLayout.BlockSize);
        var buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        using var sha = sha256 ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
        try
        {
            long offset = 0;
            var block = 0;
            while (offset < expectedLength)
            {
                var want = (int)Math.Min(StorageLayout.BlockSize, expectedLength - offset);
                var filled = 0;
                while (filled < want)
                {
                    var read = await body.ReadAsync(buffer.AsMemory(filled, want - filled), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        throw new IncompleteBodyException(expectedLength, offset + filled);
                    }

                    filled += read;
                }

                var span = buffer.AsSpan(0, want);
                crcs[block++] = Crc32C.Compute(span);
                md5.AppendData(span);
                sha?.AppendData(span);
                await RandomAccess.WriteAsync(_handle!, buffer.AsMemory(0, want), offset, cancellationToken).ConfigureAwait(false);
                offset += want;
            }

            // The body must end here: one more byte means the client sent more than it declared.
            if (await body.ReadAsync(buffer.AsMemory(0, 1), cancellationToken).ConfigureAwait(false) != 0)
            {
                throw new IncompleteBodyException(expectedLength, expectedLength + 1);
            }

            Length = expectedLength;
            BlockCrcs = crcs;
            Md5 = md5.GetHashAndReset();
            Sha256 = sha is null ? null : Convert.ToHexStringLower(sha.GetHashAndReset());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

/// <summary>The body was shorter or longer than its declared length.</summary>
internal sealed class IncompleteBodyException(long expected, long received)
    : IOException($"The request body has {(received > expected ? "more" : "fewer")} bytes than the {expected} declared.")
{
    public bool TooLong => received > expected;
}
