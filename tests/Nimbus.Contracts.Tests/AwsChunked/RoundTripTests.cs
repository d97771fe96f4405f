using Nimbus.Contracts.Checksums;
using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Signing;
using Shouldly;
using Xunit;

namespace Nimbus.Contracts.Tests.AwsChunked;

public sealed class RoundTripTests
{
    public static TheoryData<AwsChunkedMode, ChecksumAlgorithm?, int, int> Cases()
    {
        var data = new TheoryData<AwsChunkedMode, ChecksumAlgorithm?, int, int>();
        foreach (AwsChunkedMode mode in Enum.GetValues<AwsChunkedMode>())
        {
            foreach (int length in new[] { 0, 1, 8191, 8192, 8193, 65536, 200_001 })
            {
                ChecksumAlgorithm? checksum = AwsChunkedPayload.HasTrailer(mode) ? ChecksumAlgorithms.All[length % 5] : null;
                data.Add(mode, checksum, length, 8192);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Encoded_body_decodes_to_the_same_payload(AwsChunkedMode mode, ChecksumAlgorithm? checksum, int length, int chunkSize)
    {
        byte[] payload = Payload(length);
        var encodeOptions = new AwsChunkedEncodingOptions
        {
            Mode = mode,
            ChunkSigning = AwsChunkedPayload.IsSigned(mode) ? ChunkedBody.Context() : null,
            ChunkSize = chunkSize,
            TrailerChecksum = checksum,
        };
        using var encoder = new AwsChunkedEncodingStream(new MemoryStream(payload), encodeOptions);
        byte[] body = await AwsExampleTests.ReadAllAsync(encoder);
        body.LongLength.ShouldBe(AwsChunkedEncodingStream.GetEncodedLength(length, encodeOptions));

        using var decoder = new AwsChunkedDecodingStream(
            new TrickleStream(body, seed: length, maxRead: 5000), ChunkedBody.Options(mode, length, checksum, minSignedChunkSize: 8192));
        byte[] decoded = await AwsExampleTests.ReadAllAsync(decoder);

        decoded.ShouldBe(payload);
        decoder.IsCompleted.ShouldBeTrue();
        if (checksum is { } algorithm)
        {
            decoder.ChecksumValue.ShouldBe(ChecksumAlgorithms.ComputeValue(algorithm, payload));
            encoder.TrailerChecksumValue.ShouldBe(decoder.ChecksumValue);
            decoder.Trailers[ChecksumAlgorithms.GetHeaderName(algorithm)].ShouldBe(decoder.ChecksumValue);
        }
    }

    [Theory]
    [InlineData(AwsChunkedMode.SignedPayload)]
    [InlineData(AwsChunkedMode.SignedPayloadTrailer)]
    [InlineData(AwsChunkedMode.UnsignedPayloadTrailer)]
    public void Synchronous_reads_of_one_byte_decode_too(AwsChunkedMode mode)
    {
        byte[] payload = Payload(20_000);
        ChecksumAlgorithm? checksum = AwsChunkedPayload.HasTrailer(mode) ? ChecksumAlgorithm.Crc32C : null;
        byte[] body = ChunkedBody.Build(mode, payload, [8192, 8192], checksum);
        using var decoder = new AwsChunkedDecodingStream(new MemoryStream(body), ChunkedBody.Options(mode, payload.Length, checksum));
        var decoded = new List<byte>();
        Span<byte> one = stackalloc byte[1];

        while (decoder.Read(one) == 1)
        {
            decoded.Add(one[0]);
        }

        decoded.ShouldBe(payload);
        decoder.Read(one).ShouldBe(0);
    }

    [Fact]
    public async Task Default_checksum_is_computed_when_the_request_names_none()
    {
        byte[] body = "B\r\nhello world\r\n0\r\n\r\n"u8.ToArray();
        var options = new AwsChunkedDecodingOptions
        {
            Mode = AwsChunkedMode.UnsignedPayloadTrailer,
            DecodedContentLength = 11,
            DefaultChecksum = ChecksumAlgorithm.Crc64Nvme,
        };
        using var decoder = new AwsChunkedDecodingStream(new MemoryStream(body), options);

        (await AwsExampleTests.ReadAllAsync(decoder)).ShouldBe("hello world"u8.ToArray());

        decoder.ChecksumAlgorithm.ShouldBe(ChecksumAlgorithm.Crc64Nvme);
        decoder.ChecksumValue.ShouldBe("jSnVw/bqjr4=");
    }

    [Fact]
    public async Task Checksum_from_a_header_is_verified_against_the_decoded_bytes()
    {
        byte[] body = "7\r\nabcdefg\r\n0\r\n\r\n"u8.ToArray();
        var good = new AwsChunkedDecodingOptions
        {
            Mode = AwsChunkedMode.UnsignedPayloadTrailer,
            DecodedContentLength = 7,
            Checksum = new RequestChecksum(ChecksumAlgorithm.Sha256, "fRpUEnsiJQL1t5tfsIAwYRUqRPkrN+I8ZSe69mXU2po=", InTrailer: false),
        };
        using (var decoder = new AwsChunkedDecodingStream(new MemoryStream(body), good))
        {
            (await AwsExampleTests.ReadAllAsync(decoder)).Length.ShouldBe(7);
            decoder.ChecksumValue.ShouldBe("fRpUEnsiJQL1t5tfsIAwYRUqRPkrN+I8ZSe69mXU2po=");
        }

        var bad = new AwsChunkedDecodingOptions
        {
            Mode = AwsChunkedMode.UnsignedPayloadTrailer,
            DecodedContentLength = 7,
            Checksum = new RequestChecksum(ChecksumAlgorithm.Crc32, "QWaN2w==", InTrailer: false),
        };
        using var failing = new AwsChunkedDecodingStream(new MemoryStream(body), bad);
        (await Should.ThrowAsync<S3PayloadException>(() => AwsExampleTests.ReadAllAsync(failing))).Code.ShouldBe(S3ErrorCodes.BadDigest);
    }

    internal static byte[] Payload(int length)
    {
        byte[] payload = new byte[length];
        new Random(length).NextBytes(payload);
        return payload;
    }
}
