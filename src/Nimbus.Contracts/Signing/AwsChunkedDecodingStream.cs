using System.Buffers;
using System.Runtime.ExceptionServices;
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
public sealed partial class AwsChunkedDecodingStream : ReadOnlyTransformStream
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
    public override long Position
    {
        get => _delivered;
        set => throw new NotSupportedException();
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
    protected override void Dispose(bool disposing)
    {
        if (disposing && !IsDisposed)
        {
            IsDisposed = true;
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
        if (!IsDisposed)
        {
            IsDisposed = true;
            ReturnBuffers();
            _checksum?.Dispose();
            if (!_options.LeaveOpen)
            {
                await _inner.DisposeAsync().ConfigureAwait(false);
            }
        }

        GC.SuppressFinalize(this);
    }

    /// <inheritdoc />
    protected override async ValueTask<int> ReadCoreAsync(Memory<byte> destination, bool useAsync, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
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

    private static S3PayloadException Incomplete(string message) => new(S3ErrorCodes.IncompleteBody, message);
}
