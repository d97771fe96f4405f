using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Nimbus.Contracts.Checksums;

namespace Nimbus.Contracts.Signing;

/// <summary>
/// A read-only stream that encodes a payload as an aws-chunked request body, for clients (the SDK and CLI
/// uploading to S3): signed chunks chained from the request's signature, or unsigned chunks, optionally
/// followed by a checksum trailer (signed in the signed mode). Send it with <c>Content-Encoding: aws-chunked</c>,
/// <c>x-amz-content-sha256</c> = <see cref="AwsChunkedPayload.GetContentSha256"/>,
/// <c>x-amz-decoded-content-length</c>, <c>x-amz-trailer</c> when a trailer is sent, and either
/// <c>Content-Length</c> = <see cref="GetEncodedLength"/> or HTTP chunked transfer coding.
/// </summary>
public sealed class AwsChunkedEncodingStream : ReadOnlyTransformStream
{
    private const int SignatureLength = 64;

    private readonly Stream _payload;
    private readonly AwsChunkedEncodingOptions _options;
    private readonly bool _signed;
    private readonly IncrementalChecksum? _checksum;
    private readonly byte[] _previousSignature = new byte[SignatureLength];
    private byte[]? _chunk;
    private byte[]? _frame;
    private int _frameLength;
    private int _frameOffset;
    private bool _finished;
    private long _payloadLength;

    /// <summary>Creates an encoding stream over <paramref name="payload"/>.</summary>
    /// <param name="payload">The bytes to upload, read to their end; required.</param>
    /// <param name="options">Mode, chunk size, signing context and trailer checksum; required.</param>
    public AwsChunkedEncodingStream(Stream payload, AwsChunkedEncodingOptions options)
    {
        ArgumentNullException.ThrowIfNull(payload);
        Validate(options);
        _payload = payload;
        _options = options;
        _signed = AwsChunkedPayload.IsSigned(options.Mode);
        if (_signed)
        {
            options.ChunkSigning!.SeedSignatureHex.CopyTo(_previousSignature);
        }

        _checksum = options.TrailerChecksum is { } algorithm ? IncrementalChecksum.Create(algorithm) : null;
        _chunk = ArrayPool<byte>.Shared.Rent(options.ChunkSize);
        _frame = ArrayPool<byte>.Shared.Rent(options.ChunkSize + 512);
    }

    /// <summary>The trailer checksum (base64) once the whole body was read; null before, or without a trailer checksum.</summary>
    public string? TrailerChecksumValue { get; private set; }

    /// <summary>Payload bytes encoded so far.</summary>
    public long PayloadLength => _payloadLength;

    /// <summary>The encoded size of a payload of <paramref name="payloadLength"/> bytes: the request's <c>Content-Length</c>.</summary>
    /// <param name="payloadLength">The payload size in bytes (<c>x-amz-decoded-content-length</c>).</param>
    /// <param name="options">The options the body will be encoded with; required.</param>
    public static long GetEncodedLength(long payloadLength, AwsChunkedEncodingOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength);
        Validate(options);
        bool signed = AwsChunkedPayload.IsSigned(options.Mode);
        int signatureExtension = signed ? ";chunk-signature=".Length + SignatureLength : 0;
        long fullChunks = payloadLength / options.ChunkSize;
        long rest = payloadLength % options.ChunkSize;
        long length = fullChunks * (HexLength(options.ChunkSize) + signatureExtension + 2 + options.ChunkSize + 2);
        if (rest > 0)
        {
            length += HexLength(rest) + signatureExtension + 2 + rest + 2;
        }

        length += 1 + signatureExtension + 2;
        if (options.TrailerChecksum is { } algorithm)
        {
            int valueLength = (ChecksumAlgorithms.GetHashSize(algorithm) + 2) / 3 * 4;
            length += ChecksumAlgorithms.GetHeaderName(algorithm).Length + 1 + valueLength + 2;
        }

        if (options.Mode == AwsChunkedMode.SignedPayloadTrailer)
        {
            length += AwsChunkedPayload.TrailerSignatureHeader.Length + 1 + SignatureLength + 2;
        }

        return length + 2;
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
                _payload.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    /// <inheritdoc />
    protected override async ValueTask<int> ReadCoreAsync(Memory<byte> destination, bool useAsync, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        while (_frameOffset == _frameLength)
        {
            if (_finished)
            {
                return 0;
            }

            await ProduceFrameAsync(useAsync, ct).ConfigureAwait(false);
        }

        int count = Math.Min(destination.Length, _frameLength - _frameOffset);
        _frame.AsSpan(_frameOffset, count).CopyTo(destination.Span);
        _frameOffset += count;
        return count;
    }

    /// <summary>Reads the next chunk of payload and frames it; at the end, frames the final chunk and trailer.</summary>
    private async ValueTask ProduceFrameAsync(bool useAsync, CancellationToken ct)
    {
        int size = 0;
        while (size < _options.ChunkSize)
        {
            Memory<byte> target = _chunk.AsMemory(size, _options.ChunkSize - size);
            int read = useAsync ? await _payload.ReadAsync(target, ct).ConfigureAwait(false) : _payload.Read(target.Span);
            if (read == 0)
            {
                break;
            }

            size += read;
        }

        ReadOnlySpan<byte> data = _chunk.AsSpan(0, size);
        _checksum?.Append(data);
        _payloadLength += size;
        Span<byte> frame = _frame;
        int position = WriteChunkHeader(frame, data);
        _frameOffset = 0;
        if (size > 0)
        {
            data.CopyTo(frame[position..]);
            position += size;
            "\r\n"u8.CopyTo(frame[position..]);
            _frameLength = position + 2;
            return;
        }

        _frameLength = position + WriteTrailer(frame[position..]);
        _finished = true;
        ReturnChunk();
    }

    private int WriteChunkHeader(Span<byte> frame, ReadOnlySpan<byte> data)
    {
        data.Length.TryFormat(frame, out int position, "x", CultureInfo.InvariantCulture);
        if (_signed)
        {
            Span<byte> hash = stackalloc byte[32];
            SHA256.HashData(data, hash);
            Span<byte> signature = stackalloc byte[32];
            _options.ChunkSigning!.ComputeChunkSignature(_previousSignature, hash, signature);
            SigV4ChunkSigningContext.WriteLowerHex(signature, _previousSignature);
            ";chunk-signature="u8.CopyTo(frame[position..]);
            position += ";chunk-signature=".Length;
            _previousSignature.CopyTo(frame[position..]);
            position += SignatureLength;
        }

        "\r\n"u8.CopyTo(frame[position..]);
        return position + 2;
    }

    private int WriteTrailer(Span<byte> frame)
    {
        int position = 0;
        if (_checksum is not null)
        {
            TrailerChecksumValue = _checksum.GetBase64();
            string line = ChecksumAlgorithms.GetHeaderName(_checksum.Algorithm) + ":" + TrailerChecksumValue;
            position += Encoding.ASCII.GetBytes(line, frame);
            "\r\n"u8.CopyTo(frame[position..]);
            position += 2;
            if (_options.Mode == AwsChunkedMode.SignedPayloadTrailer)
            {
                Span<byte> hash = stackalloc byte[32];
                SHA256.HashData(Encoding.ASCII.GetBytes(line + "\n"), hash);
                Span<byte> signature = stackalloc byte[32];
                _options.ChunkSigning!.ComputeTrailerSignature(_previousSignature, hash, signature);
                position += Encoding.ASCII.GetBytes(AwsChunkedPayload.TrailerSignatureHeader + ":", frame[position..]);
                SigV4ChunkSigningContext.WriteLowerHex(signature, frame[position..]);
                position += SignatureLength;
                "\r\n"u8.CopyTo(frame[position..]);
                position += 2;
            }
        }
        else if (_options.Mode == AwsChunkedMode.SignedPayloadTrailer)
        {
            // A signed trailer with no headers still carries its signature over the empty trailer.
            Span<byte> hash = stackalloc byte[32];
            SHA256.HashData(ReadOnlySpan<byte>.Empty, hash);
            Span<byte> signature = stackalloc byte[32];
            _options.ChunkSigning!.ComputeTrailerSignature(_previousSignature, hash, signature);
            position += Encoding.ASCII.GetBytes(AwsChunkedPayload.TrailerSignatureHeader + ":", frame);
            SigV4ChunkSigningContext.WriteLowerHex(signature, frame[position..]);
            position += SignatureLength;
            "\r\n"u8.CopyTo(frame[position..]);
            position += 2;
        }

        "\r\n"u8.CopyTo(frame[position..]);
        return position + 2;
    }

    private static void Validate(AwsChunkedEncodingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ChunkSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.ChunkSize, AwsChunkedDecodingOptions.DefaultMaxSignedChunkSize);
        if (AwsChunkedPayload.IsSigned(options.Mode) && options.ChunkSigning is null)
        {
            throw new ArgumentException("Signed chunks need the ChunkSigning context of the signed request.", nameof(options));
        }

        if (options.TrailerChecksum is not null && !AwsChunkedPayload.HasTrailer(options.Mode))
        {
            throw new ArgumentException("A trailer checksum needs a trailer mode.", nameof(options));
        }
    }

    private static int HexLength(long value) => value == 0 ? 1 : (int)((64 - long.LeadingZeroCount(value) + 3) / 4);

    private void ReturnChunk()
    {
        if (_chunk is not null)
        {
            ArrayPool<byte>.Shared.Return(_chunk);
            _chunk = null;
        }
    }

    private void ReturnBuffers()
    {
        ReturnChunk();
        if (_frame is not null)
        {
            ArrayPool<byte>.Shared.Return(_frame);
            _frame = null;
        }
    }
}
