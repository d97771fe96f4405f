using System.Security.Cryptography;
using System.Text;
using Nimbus.Contracts.Checksums;
using Nimbus.Contracts.Signing;

namespace Nimbus.Contracts.Tests.AwsChunked;

/// <summary>
/// Builds aws-chunked bodies by hand, with any chunk boundaries, independently of the encoding stream
/// (it signs through the context's internal primitives, which the AWS example pins down).
/// </summary>
internal static class ChunkedBody
{
    public const string Secret = "nimbus/secret+KEY=";
    public const string AmzDate = "20250101T120000Z";
    public const string Seed = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    public static SigV4ChunkSigningContext Context(string seed = Seed) => SigV4ChunkSigningContext.Create(Secret, AmzDate, "local", "s3", seed);

    /// <summary>The payload split at <paramref name="sizes"/> (the rest, if any, as a last chunk), framed for <paramref name="mode"/>.</summary>
    public static byte[] Build(
        AwsChunkedMode mode,
        byte[] payload,
        IEnumerable<int> sizes,
        ChecksumAlgorithm? trailer = null,
        SigV4ChunkSigningContext? context = null,
        string? trailerValue = null)
    {
        context ??= Context();
        bool signed = AwsChunkedPayload.IsSigned(mode);
        byte[] previous = Encoding.ASCII.GetBytes(context.SeedSignature);
        var body = new MemoryStream();
        int offset = 0;
        foreach (int size in sizes.Append(payload.Length))
        {
            int take = Math.Min(size, payload.Length - offset);
            if (take <= 0)
            {
                continue;
            }

            WriteChunk(body, payload.AsSpan(offset, take), signed, context, previous);
            offset += take;
        }

        WriteChunk(body, [], signed, context, previous);
        if (trailer is { } algorithm)
        {
            string line = ChecksumAlgorithms.GetHeaderName(algorithm) + ":" + (trailerValue ?? ChecksumAlgorithms.ComputeValue(algorithm, payload));
            body.Write(Encoding.ASCII.GetBytes(line + "\r\n"));
            if (mode == AwsChunkedMode.SignedPayloadTrailer)
            {
                body.Write(Encoding.ASCII.GetBytes("x-amz-trailer-signature:" + TrailerSignature(context, previous, line + "\n") + "\r\n"));
            }
        }
        else if (mode == AwsChunkedMode.SignedPayloadTrailer)
        {
            body.Write(Encoding.ASCII.GetBytes("x-amz-trailer-signature:" + TrailerSignature(context, previous, "") + "\r\n"));
        }

        body.Write("\r\n"u8);
        return body.ToArray();
    }

    public static AwsChunkedDecodingOptions Options(
        AwsChunkedMode mode, long length, ChecksumAlgorithm? trailer = null, SigV4ChunkSigningContext? context = null, int minSignedChunkSize = 0) => new()
    {
        Mode = mode,
        DecodedContentLength = length,
        ChunkSigning = AwsChunkedPayload.IsSigned(mode) ? context ?? Context() : null,
        DeclaredTrailers = trailer is { } algorithm ? [ChecksumAlgorithms.GetHeaderName(algorithm)] : [],
        Checksum = trailer is { } declared ? new RequestChecksum(declared, null, InTrailer: true) : null,
        MinSignedChunkSize = minSignedChunkSize,
    };

    public static string ChunkSignature(SigV4ChunkSigningContext context, byte[] previous, ReadOnlySpan<byte> data)
    {
        Span<byte> signature = stackalloc byte[32];
        context.ComputeChunkSignature(previous, SHA256.HashData(data), signature);
        return Convert.ToHexStringLower(signature);
    }

    private static void WriteChunk(MemoryStream body, ReadOnlySpan<byte> data, bool signed, SigV4ChunkSigningContext context, byte[] previous)
    {
        string header = data.Length.ToString("x", System.Globalization.CultureInfo.InvariantCulture);
        if (signed)
        {
            string signature = ChunkSignature(context, previous, data);
            Encoding.ASCII.GetBytes(signature).CopyTo(previous, 0);
            header += ";chunk-signature=" + signature;
        }

        body.Write(Encoding.ASCII.GetBytes(header + "\r\n"));
        body.Write(data);
        if (data.Length > 0)
        {
            body.Write("\r\n"u8);
        }
    }

    private static string TrailerSignature(SigV4ChunkSigningContext context, byte[] previous, string canonical)
    {
        Span<byte> signature = stackalloc byte[32];
        context.ComputeTrailerSignature(previous, SHA256.HashData(Encoding.ASCII.GetBytes(canonical)), signature);
        return Convert.ToHexStringLower(signature);
    }
}

/// <summary>A stream over bytes that hands out at most a few bytes per read, at random: exercises every buffer boundary.</summary>
internal sealed class TrickleStream(byte[] data, int seed, int maxRead) : Stream
{
    private readonly Random _random = new(seed);
    private int _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => data.Length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int count = Math.Min(Math.Min(buffer.Length, data.Length - _position), _random.Next(1, maxRead + 1));
        data.AsSpan(_position, count).CopyTo(buffer);
        _position += count;
        return count;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
