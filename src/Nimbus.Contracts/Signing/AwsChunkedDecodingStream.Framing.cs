using System.Buffers;
using System.Security.Cryptography;
using Nimbus.Contracts.Errors;

namespace Nimbus.Contracts.Signing;

/// <summary>Chunk framing: headers, data, signatures, and the line buffer under them.</summary>
public sealed partial class AwsChunkedDecodingStream
{
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

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };

    private readonly record struct Line(int Start, int Length)
    {
        public static Line End => new(0, -1);

        public bool IsEnd => Length < 0;
    }
}
