using System.Buffers;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using Nimbus.Contracts.Checksums;
using Nimbus.Contracts.Errors;

namespace Nimbus.Contracts.Signing;

/// <summary>
/// A read-only stream over an aws-chunked request body that yields the decoded payload and verifies it as it
/// goes: chunk framing and sizes, chunk signatures (signed modes), the declared decoded length, the trailing
/// headers (only the declared ones, the trailer signature in the signed mode) and the request's checksum.
/// </summary>
/// <remarks>
/// <para>Every problem the client can cause surfaces as an <see cref="S3PayloadException"/> from a read, with
/// the S3 error code to answer; after one, every further read throws it again. Exceptions of the body stream
/// (a client that disconnects) pass through unchanged.</para>
/// <para>Signed chunks are held until their signature verifies, so no byte of a forged or corrupted chunk is
/// ever returned; that costs one buffer of the chunk's size, capped by
/// <see cref="AwsChunkedDecodingOptions.MaxSignedChunkSize"/>. Unsigned chunks stream straight through. The
/// length, trailer and checksum can only be judged at the end: a consumer must treat the bytes as valid only
/// once a read has returned 0 (end of payload) without throwing, e.g. by writing to a temporary file and
/// committing after that.</para>
/// <para>Accepted variations that real clients produce: chunk extensions (ignored in the unsigned mode), the
/// trailer right after the zero-length chunk's line or after a blank line, a zero-byte payload sent as two
/// zero-length chunks, hex digits of any case with leading zeros.</para>
/// </remarks>
public sealed partial class AwsChunkedDecodingStream : Stream
{
    private const int BufferSize = 64 * 1024;
    private const int MaxLineLength = 4096;
    private const int SignatureHexLength = 64;

    private readonly Stream _inner;
    private readonly AwsChunkedDecodingOptions _options;
    private readonly bool _signed;
    private readonly IncrementalChecksum? _checksum;
    private readonly byte[] _previousSignature = new byte[SignatureHexLength];
    private readonly byte[] _receivedSignature = new byte[SignatureHexLength];
    private readonly Dictionary<string, string> _trailers = new(StringComparer.Ordinal);

    private byte[]? _buffer;
    private int _start;
    private int _end;
    private State _state = State.ChunkHeader;
    private long _chunkRemaining;
    private byte[]? _chunk;
    private int _chunkLength;
    private int _chunkOffset;
    private long _declaredSoFar;
    private long _delivered;
    private bool _smallChunkSeen;
    private int _chunkCount;
    private string? _checksumValue;
    private ExceptionDispatchInfo? _failure;
    private bool _disposed;

    /// <summary>Creates a decoding stream over <paramref name="body"/>.</summary>
    /// <param name="body">The request body as received (HTTP chunked transfer coding already removed); required.</param>
    /// <param name="options">What to decode and verify; required. Signed modes need <see cref="AwsChunkedDecodingOptions.ChunkSigning"/>.</param>
    public AwsChunkedDecodingStream(Stream body, AwsChunkedDecodingOptions options)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.DecodedContentLength);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxSignedChunkSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MinSignedChunkSize);
        ArgumentNullException.ThrowIfNull(options.DeclaredTrailers);
        _signed = AwsChunkedPayload.IsSigned(options.Mode);
        if (_signed && options.ChunkSigning is null)
        {
            throw new ArgumentException("Signed chunks need the ChunkSigning context of the verified request.", nameof(options));
        }

        _inner = body;
        _options = options;
        if (_signed)
        {
            options.ChunkSigning!.SeedSignatureHex.CopyTo(_previousSignature);
        }

        ChecksumAlgorithm? algorithm = options.Checksum?.Algorithm ?? options.DefaultChecksum;
        _checksum = algorithm is null ? null : IncrementalChecksum.Create(algorithm.Value);
        _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    }

    private enum State
    {
        ChunkHeader,
        UnsignedData,
        DataTerminator,
        Serving,
        Done,
    }

    /// <summary>True once the whole body was read and verified (a read returned 0).</summary>
    public bool IsCompleted => _state == State.Done;

    /// <summary>Decoded payload bytes returned so far.</summary>
    public long DecodedLength => _delivered;

    /// <summary>Data chunks read so far (the final zero-length chunk not counted).</summary>
    public int ChunkCount => _chunkCount;

    /// <summary>The checksum computed over the payload, or null when none was asked for.</summary>
    public ChecksumAlgorithm? ChecksumAlgorithm => _checksum?.Algorithm;

    /// <summary>
    /// The payload's checksum (base64) once <see cref="IsCompleted"/>, verified against the value the client
    /// sent if it sent one; null before, or when no checksum was computed.
    /// </summary>
    public string? ChecksumValue => _checksumValue;

    /// <summary>The trailing headers received (lowercase names, values trimmed), without the trailer signature; complete once <see cref="IsCompleted"/>.</summary>
    public IReadOnlyDictionary<string, string> Trailers => _trailers;

    /// <inheritdoc />
    public override bool CanRead => !_disposed;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position
    {
        get => _delivered;
        set => throw new NotSupportedException();
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return ReadCoreAsync(buffer.AsMemory(offset, count), useAsync: false, CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        byte[] rented = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length, BufferSize));
        try
        {
            int read = ReadCoreAsync(rented.AsMemory(0, Math.Min(buffer.Length, rented.Length)), useAsync: false, CancellationToken.None).GetAwaiter().GetResult();
            rented.AsSpan(0, read).CopyTo(buffer);
            return read;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
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

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            ReturnBuffers();
            _checksum?.Dispose();
            if (!_options.LeaveOpen)
            {
                _inner.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            ReturnBuffers();
            _checksum?.Dispose();
            if (!_options.LeaveOpen)
            {
                await _inner.DisposeAsync().ConfigureAwait(false);
            }
        }

        GC.SuppressFinalize(this);
    }

    private async ValueTask<int> ReadCoreAsync(Memory<byte> destination, bool useAsync, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _failure?.Throw();
        if (destination.IsEmpty)
        {
            return 0;
        }

        try
        {
            while (true)
            {
                switch (_state)
                {
                    case State.Done:
                        return 0;

                    case State.Serving:
                        if (_chunkOffset < _chunkLength)
                        {
                            int count = Math.Min(destination.Length, _chunkLength - _chunkOffset);
                            _chunk.AsSpan(_chunkOffset, count).CopyTo(destination.Span);
                            _chunkOffset += count;
                            _delivered += count;
                            return count;
                        }

                        _state = State.ChunkHeader;
                        break;

                    case State.UnsignedData:
                        if (_chunkRemaining == 0)
                        {
                            _state = State.DataTerminator;
                            break;
                        }

                        return await ReadUnsignedDataAsync(destination, useAsync, ct).ConfigureAwait(false);

                    case State.DataTerminator:
                        await ExpectCrlfAsync(useAsync, ct).ConfigureAwait(false);
                        _state = State.ChunkHeader;
                        break;

                    default:
                        await ReadChunkAsync(useAsync, ct).ConfigureAwait(false);
                        break;
                }
            }
        }
        catch (Exception e) when (e is not ObjectDisposedException)
        {
            _failure = ExceptionDispatchInfo.Capture(e);
            ReturnBuffers();
            throw;
        }
    }

    private async ValueTask<int> ReadUnsignedDataAsync(Memory<byte> destination, bool useAsync, CancellationToken ct)
    {
        int want = (int)Math.Min(destination.Length, _chunkRemaining);
        int count;
        if (_end > _start)
        {
            count = Math.Min(want, _end - _start);
            _buffer.AsSpan(_start, count).CopyTo(destination.Span);
            _start += count;
        }
        else
        {
            // Nothing buffered: read the body straight into the caller's buffer, no intermediate copy.
            Memory<byte> target = destination[..want];
            count = useAsync ? await _inner.ReadAsync(target, ct).ConfigureAwait(false) : _inner.Read(target.Span);
            if (count == 0)
            {
                throw Incomplete("The body ended inside a chunk.");
            }
        }

        _checksum?.Append(destination.Span[..count]);
        _chunkRemaining -= count;
        _delivered += count;
        return count;
    }

    /// <summary>Reads a chunk header; sets up an unsigned chunk, or reads and verifies a signed one, or finishes on the last.</summary>
    private async ValueTask ReadChunkAsync(bool useAsync, CancellationToken ct)
    {
        Line line = await ReadLineAsync(useAsync, ct).ConfigureAwait(false);
        if (line.IsEnd)
        {
            throw Incomplete("The body ended before the final zero-length chunk.");
        }

        long size = ParseChunkHeader(_buffer.AsSpan(line.Start, line.Length));
        if (size == 0)
        {
            await FinishAsync(useAsync, ct).ConfigureAwait(false);
            return;
        }

        if (size > _options.DecodedContentLength - _declaredSoFar)
        {
            throw Incomplete(
                $"The chunks carry more than the {_options.DecodedContentLength} bytes x-amz-decoded-content-length declares.");
        }

        _declaredSoFar += size;
        _chunkCount++;
        if (!_signed)
        {
            _chunkRemaining = size;
            _state = State.UnsignedData;
            return;
        }

        if (size > _options.MaxSignedChunkSize)
        {
            throw new S3PayloadException(
                S3ErrorCodes.InvalidChunkSizeError, $"A signed chunk may be at most {_options.MaxSignedChunkSize} bytes; this one is {size}.");
        }

        if (_smallChunkSeen)
        {
            throw new S3PayloadException(
                S3ErrorCodes.InvalidChunkSizeError, $"Only the last chunk is allowed to have a size less than {_options.MinSignedChunkSize} bytes.");
        }

        _smallChunkSeen = size < _options.MinSignedChunkSize;
        await ReadSignedChunkAsync((int)size, useAsync, ct).ConfigureAwait(false);
    }

    private async ValueTask ReadSignedChunkAsync(int size, bool useAsync, CancellationToken ct)
    {
        if (_chunk is null || _chunk.Length < size)
        {
            if (_chunk is not null)
            {
                ArrayPool<byte>.Shared.Return(_chunk);
            }

            _chunk = null;
            _chunk = ArrayPool<byte>.Shared.Rent(size);
        }

        int filled = Math.Min(size, _end - _start);
        _buffer.AsSpan(_start, filled).CopyTo(_chunk);
        _start += filled;
        while (filled < size)
        {
            Memory<byte> target = _chunk.AsMemory(filled, size - filled);
            int read = useAsync ? await _inner.ReadAsync(target, ct).ConfigureAwait(false) : _inner.Read(target.Span);
            if (read == 0)
            {
                throw Incomplete("The body ended inside a chunk.");
            }

            filled += read;
        }

        await ExpectCrlfAsync(useAsync, ct).ConfigureAwait(false);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(_chunk.AsSpan(0, size), hash);
        VerifyChunkSignature(hash);
        _checksum?.Append(_chunk.AsSpan(0, size));
        _chunkLength = size;
        _chunkOffset = 0;
        _state = State.Serving;
    }

    /// <summary>Checks the signature of the chunk whose header was parsed last, then moves the chain on.</summary>
    private void VerifyChunkSignature(ReadOnlySpan<byte> chunkHash)
    {
        Span<byte> computed = stackalloc byte[32];
        _options.ChunkSigning!.ComputeChunkSignature(_previousSignature, chunkHash, computed);
        if (!SigV4ChunkSigningContext.SignatureEquals(_receivedSignature, computed))
        {
            throw new S3PayloadException(
                S3ErrorCodes.SignatureDoesNotMatch,
                $"The signature of chunk {_chunkCount} does not match: the chunk was altered or signed with another key or seed signature.");
        }

        SigV4ChunkSigningContext.WriteLowerHex(computed, _previousSignature);
    }

    /// <summary>Parses <c>hex-size[;ext...]</c>; in the signed modes stores the <c>chunk-signature</c> extension.</summary>
    private long ParseChunkHeader(ReadOnlySpan<byte> line)
    {
        long size = 0;
        int i = 0;
        for (; i < line.Length; i++)
        {
            int digit = HexValue(line[i]);
            if (digit < 0)
            {
                break;
            }

            // 15 hex digits already exceed any payload S3 takes (5 TiB): stop before overflowing.
            if (i == 15)
            {
                throw Incomplete("The chunk size is too large.");
            }

            size = (size << 4) | (uint)digit;
        }

        if (i == 0)
        {
            throw Incomplete("A chunk does not start with its size in hexadecimal.");
        }

        ReadOnlySpan<byte> rest = line[i..].TrimStart(" \t"u8);
        if (!rest.IsEmpty && rest[0] != (byte)';')
        {
            throw Incomplete("A chunk size is followed by something other than an extension.");
        }

        if (!_signed)
        {
            return size;
        }

        ReadOnlySpan<byte> extensions = rest.IsEmpty ? default : rest[1..];
        foreach (Range range in extensions.Split((byte)';'))
        {
            ReadOnlySpan<byte> extension = extensions[range].Trim(" \t"u8);
            if (extension.StartsWith("chunk-signature="u8))
            {
                ReadOnlySpan<byte> signature = extension["chunk-signature="u8.Length..];
                if (signature.Length == SignatureHexLength)
                {
                    signature.CopyTo(_receivedSignature);
                    return size;
                }
            }
        }

        throw new S3PayloadException(S3ErrorCodes.SignatureDoesNotMatch, $"Chunk {_chunkCount + 1} has no valid chunk-signature.");
    }

    private async ValueTask ExpectCrlfAsync(bool useAsync, CancellationToken ct)
    {
        while (_end - _start < 2)
        {
            if (await FillAsync(useAsync, ct).ConfigureAwait(false) == 0)
            {
                throw Incomplete("The body ended after a chunk's data, before its CRLF.");
            }
        }

        if (_buffer![_start] != (byte)'\r' || _buffer[_start + 1] != (byte)'\n')
        {
            throw Incomplete("A chunk's data is not followed by CRLF: the chunk is longer than its declared size.");
        }

        _start += 2;
    }

    /// <summary>Reads one CRLF-terminated line; <see cref="Line.IsEnd"/> at a clean end of the body.</summary>
    private async ValueTask<Line> ReadLineAsync(bool useAsync, CancellationToken ct)
    {
        int scanned = 0;
        while (true)
        {
            int newline = _buffer.AsSpan(_start + scanned, _end - _start - scanned).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                int lineFeed = _start + scanned + newline;
                if (lineFeed == _start || _buffer![lineFeed - 1] != (byte)'\r')
                {
                    throw Incomplete("A line of the aws-chunked body ends with a bare LF instead of CRLF.");
                }

                var line = new Line(_start, lineFeed - 1 - _start);
                _start = lineFeed + 1;
                return line;
            }

            scanned = _end - _start;
            if (scanned >= MaxLineLength)
            {
                throw Incomplete($"A chunk header or trailer line is longer than {MaxLineLength} bytes.");
            }

            if (await FillAsync(useAsync, ct).ConfigureAwait(false) == 0)
            {
                return _end == _start ? Line.End : throw Incomplete("The body ended in the middle of a chunk header or trailer.");
            }
        }
    }

    /// <summary>Moves unread bytes to the front of the buffer and reads more after them; returns the bytes read (0 at the end).</summary>
    private async ValueTask<int> FillAsync(bool useAsync, CancellationToken ct)
    {
        byte[] buffer = _buffer!;
        if (_start > 0)
        {
            buffer.AsSpan(_start, _end - _start).CopyTo(buffer);
            _end -= _start;
            _start = 0;
        }

        Memory<byte> target = buffer.AsMemory(_end);
        int read = useAsync ? await _inner.ReadAsync(target, ct).ConfigureAwait(false) : _inner.Read(target.Span);
        _end += read;
        return read;
    }

    private async ValueTask<bool> AtEndAsync(bool useAsync, CancellationToken ct) =>
        _end == _start && await FillAsync(useAsync, ct).ConfigureAwait(false) == 0;

    private void ReturnBuffers()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }

        if (_chunk is not null)
        {
            ArrayPool<byte>.Shared.Return(_chunk);
            _chunk = null;
        }
    }

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };

    private static S3PayloadException Incomplete(string message) => new(S3ErrorCodes.IncompleteBody, message);

    private readonly record struct Line(int Start, int Length)
    {
        public static Line End => new(0, -1);

        public bool IsEnd => Length < 0;
    }
}
