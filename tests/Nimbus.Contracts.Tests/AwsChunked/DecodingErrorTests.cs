using System.Text;
using Nimbus.Contracts.Checksums;
using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Signing;
using Shouldly;
using Xunit;

namespace Nimbus.Contracts.Tests.AwsChunked;

/// <summary>Each malformed body fails with the S3 error code a client expects, and the failure sticks.</summary>
public sealed class DecodingErrorTests
{
    private const string Crc64Trailer = "x-amz-checksum-crc64nvme";

    [Theory]
    [InlineData("5\r\nhello\r\n0\r\n\r\n", Crc64Trailer)]
    [InlineData("5\r\nhello\r\n0\r\n:M3eFcAZSQlc=\r\n\r\n", Crc64Trailer)]
    [InlineData("5\r\nhello\r\n0\r\nx-amz-checksum-crc64nvme:M3eFcAZSQlc=\r\n\r\n", null)]
    [InlineData("5\r\nhello\r\n0\r\ninvalid_trailer:M3eFcAZSQlc=\r\n\r\n", Crc64Trailer)]
    [InlineData("5\r\nhello\r\n0\r\nx-amz-checksum-crc64nvme:M3eFcAZSQlc=\r\nx-amz-checksum-crc64nvme:M3eFcAZSQlc=\r\n\r\n", Crc64Trailer)]
    [InlineData("5\r\nhello\r\n0\r\nx-amz-trailer-signature:abc\r\n\r\n", null)]
    public async Task Missing_undeclared_or_malformed_trailers_are_MalformedTrailerError(string body, string? declared)
    {
        (await DecodeUnsignedAsync(body, 5, declared)).Code.ShouldBe(S3ErrorCodes.MalformedTrailerError);
    }

    [Theory]
    [InlineData("A\ndummy data\r\n0\r\n\r\n")]
    [InlineData("A\r\ndummy data0\r\n\r\n")]
    [InlineData("A\r\nXYZ\r\ndummy data\r\n0\r\n\r\n")]
    [InlineData("B\r\ndummy data\r\n0\r\n\r\n")]
    [InlineData("A\r\ndummy data\r\n0\r\n")]
    [InlineData("A\r\ndummy data\r\n0\r\nx-amz-checksum-crc64nvme:dPVWc2vU1+Q=\r\n")]
    [InlineData("A\r\n")]
    [InlineData("A\r\nA\r\ndummy data\r\n0\r\n\r\n")]
    [InlineData("invalid_chunk_size\r\ndummy data\r\n0\r\nx-amz-checksum-crc64nvme:dPVWc2vU1+Q=\r\n\r\n")]
    [InlineData("A\r\ndummy data\r\nJ\r\nx-amz-checksum-crc64nvme:dPVWc2vU1+Q=\r\n\r\n")]
    [InlineData("")]
    [InlineData("A\r\ndummy data\r\n")]
    [InlineData("5\r\ndummy\r\n0\r\nx-amz-checksum-crc64nvme:dPVWc2vU1+Q=\r\n\r\n")]
    [InlineData("A\r\ndummy data\r\n0\r\nx-amz-checksum-crc64nvme:dPVWc2vU1+Q=\r\n\r\nmore")]
    [InlineData("A\r\ndummy data\r\n0\r\nx-amz-checksum-crc64nvme:dPVWc2vU1+Q=\r")]
    [InlineData("1000000000000000\r\n")]
    public async Task Truncated_or_misframed_bodies_are_IncompleteBody(string body)
    {
        (await DecodeUnsignedAsync(body, 10, Crc64Trailer)).Code.ShouldBe(S3ErrorCodes.IncompleteBody);
    }

    [Fact]
    public async Task A_trailing_checksum_that_is_not_base64_of_a_digest_is_InvalidRequest()
    {
        (await DecodeUnsignedAsync("5\r\nhello\r\n0\r\nx-amz-checksum-crc64nvme:invalid_checksum\r\n\r\n", 5, Crc64Trailer))
            .Code.ShouldBe(S3ErrorCodes.InvalidRequest);
    }

    [Fact]
    public async Task A_wrong_trailing_checksum_is_BadDigest()
    {
        S3PayloadException error = await DecodeUnsignedAsync("5\r\nhello\r\n0\r\nx-amz-checksum-crc64nvme:QFRKMGE3tuw=\r\n\r\n", 5, Crc64Trailer);

        error.Code.ShouldBe(S3ErrorCodes.BadDigest);
        error.Message.ShouldContain("CRC64NVME");
    }

    [Theory]
    [InlineData("5\r\nhello\r\n0\r\nx-amz-checksum-crc64nvme:M3eFcAZSQlc=\r\n\r\n")]
    [InlineData("5\r\nhello\r\n0\r\n\r\nx-amz-checksum-crc64nvme:M3eFcAZSQlc=\r\n\r\n")]
    [InlineData("5;ext=1;other\r\nhello\r\n0;x\r\nx-amz-checksum-crc64nvme: M3eFcAZSQlc= \r\n\r\n")]
    [InlineData("2\r\nhe\r\n03\r\nllo\r\n0\r\nX-Amz-Checksum-CRC64NVME:M3eFcAZSQlc=\r\n\r\n")]
    public async Task Accepted_variations_of_the_unsigned_trailer_body(string body)
    {
        var options = ChunkedBody.Options(AwsChunkedMode.UnsignedPayloadTrailer, 5, ChecksumAlgorithm.Crc64Nvme);
        using var decoder = new AwsChunkedDecodingStream(new MemoryStream(Encoding.ASCII.GetBytes(body)), options);

        (await AwsExampleTests.ReadAllAsync(decoder)).ShouldBe("hello"u8.ToArray());

        decoder.ChecksumValue.ShouldBe("M3eFcAZSQlc=");
        decoder.Trailers[Crc64Trailer].ShouldBe("M3eFcAZSQlc=");
    }

    [Theory]
    [InlineData("0\r\n\r\n")]
    [InlineData("0\r\n\r\n0\r\n\r\n")]
    public async Task Zero_byte_unsigned_uploads_with_one_or_two_zero_length_chunks(string body)
    {
        var options = new AwsChunkedDecodingOptions { Mode = AwsChunkedMode.UnsignedPayloadTrailer, DecodedContentLength = 0, DefaultChecksum = ChecksumAlgorithm.Crc32 };
        using var decoder = new AwsChunkedDecodingStream(new MemoryStream(Encoding.ASCII.GetBytes(body)), options);

        (await AwsExampleTests.ReadAllAsync(decoder)).ShouldBeEmpty();
        decoder.ChecksumValue.ShouldBe("AAAAAA==");
    }

    [Theory]
    [InlineData(AwsChunkedMode.SignedPayload)]
    [InlineData(AwsChunkedMode.SignedPayloadTrailer)]
    public async Task Zero_byte_signed_upload_with_two_zero_length_chunks_verifies_both(AwsChunkedMode mode)
    {
        SigV4ChunkSigningContext context = ChunkedBody.Context();
        byte[] previous = Encoding.ASCII.GetBytes(context.SeedSignature);
        string first = ChunkedBody.ChunkSignature(context, previous, []);
        string second = ChunkedBody.ChunkSignature(context, Encoding.ASCII.GetBytes(first), []);
        string body = $"0;chunk-signature={first}\r\n\r\n0;chunk-signature={second}\r\n\r\n";
        if (mode == AwsChunkedMode.SignedPayloadTrailer)
        {
            // Rebuild with the trailer signature over the empty trailer after the second chunk.
            byte[] reference = ChunkedBody.Build(mode, [], []);
            string tail = Encoding.ASCII.GetString(reference);
            body = $"0;chunk-signature={first}\r\n\r\n" + tail.Replace(
                tail[..tail.IndexOf('\r', StringComparison.Ordinal)], $"0;chunk-signature={second}", StringComparison.Ordinal);

            // The trailer signature chains from the second chunk's signature, not from the first.
            (await DecodeAsync(body, ChunkedBody.Options(mode, 0))).Code.ShouldBe(S3ErrorCodes.SignatureDoesNotMatch);
            return;
        }

        using var decoder = new AwsChunkedDecodingStream(new MemoryStream(Encoding.ASCII.GetBytes(body)), ChunkedBody.Options(mode, 0));
        (await AwsExampleTests.ReadAllAsync(decoder)).ShouldBeEmpty();

        string forged = $"0;chunk-signature={first}\r\n\r\n0;chunk-signature={first}\r\n\r\n";
        (await DecodeAsync(forged, ChunkedBody.Options(mode, 0))).Code.ShouldBe(S3ErrorCodes.SignatureDoesNotMatch);
    }

    [Fact]
    public async Task Declared_length_larger_than_the_chunks_is_IncompleteBody()
    {
        byte[] body = ChunkedBody.Build(AwsChunkedMode.SignedPayload, new byte[100], []);
        (await DecodeAsync(body, ChunkedBody.Options(AwsChunkedMode.SignedPayload, 101))).Code.ShouldBe(S3ErrorCodes.IncompleteBody);
        (await DecodeAsync(body, ChunkedBody.Options(AwsChunkedMode.SignedPayload, 99))).Code.ShouldBe(S3ErrorCodes.IncompleteBody);
    }

    [Fact]
    public async Task Small_signed_chunk_before_the_last_is_InvalidChunkSizeError()
    {
        byte[] payload = new byte[20_000];
        byte[] body = ChunkedBody.Build(AwsChunkedMode.SignedPayload, payload, [100, 8192]);

        S3PayloadException error = await DecodeAsync(body, ChunkedBody.Options(AwsChunkedMode.SignedPayload, payload.Length, minSignedChunkSize: 8192));

        error.Code.ShouldBe(S3ErrorCodes.InvalidChunkSizeError);
        error.StatusCode.ShouldBe(403);
    }

    [Fact]
    public async Task Signed_chunk_over_the_cap_is_refused_before_it_is_buffered()
    {
        string body = "1000001;chunk-signature=" + new string('0', 64) + "\r\n";
        var options = ChunkedBody.Options(AwsChunkedMode.SignedPayload, 1L << 30) is var o
            ? new AwsChunkedDecodingOptions { Mode = o.Mode, DecodedContentLength = o.DecodedContentLength, ChunkSigning = o.ChunkSigning, MaxSignedChunkSize = 16 << 20 }
            : null!;

        (await DecodeAsync(body, options)).Code.ShouldBe(S3ErrorCodes.InvalidChunkSizeError);
    }

    [Theory]
    [InlineData("5\r\nhello\r\n0;chunk-signature=00\r\n\r\n")]
    [InlineData("5;chunk-signature=\r\nhello\r\n")]
    [InlineData("5;chunk-sig=0000000000000000000000000000000000000000000000000000000000000000\r\nhello\r\n")]
    public async Task Signed_chunk_without_a_valid_chunk_signature_is_SignatureDoesNotMatch(string body)
    {
        (await DecodeAsync(body, ChunkedBody.Options(AwsChunkedMode.SignedPayload, 5))).Code.ShouldBe(S3ErrorCodes.SignatureDoesNotMatch);
    }

    [Fact]
    public async Task Body_signed_from_another_seed_fails_on_its_first_chunk_and_returns_nothing()
    {
        byte[] body = ChunkedBody.Build(AwsChunkedMode.SignedPayload, new byte[10_000], [], context: ChunkedBody.Context(new string('f', 64)));
        using var decoder = new AwsChunkedDecodingStream(new MemoryStream(body), ChunkedBody.Options(AwsChunkedMode.SignedPayload, 10_000));

        (await Should.ThrowAsync<S3PayloadException>(() => AwsExampleTests.ReadAllAsync(decoder))).Code.ShouldBe(S3ErrorCodes.SignatureDoesNotMatch);
        decoder.DecodedLength.ShouldBe(0);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")]
    public async Task Missing_or_wrong_trailer_signature_is_SignatureDoesNotMatch(string? signature)
    {
        byte[] payload = new byte[9000];
        string body = Encoding.ASCII.GetString(ChunkedBody.Build(AwsChunkedMode.SignedPayloadTrailer, payload, [], ChecksumAlgorithm.Crc32));
        int start = body.IndexOf("x-amz-trailer-signature:", StringComparison.Ordinal);
        int end = body.IndexOf("\r\n", start, StringComparison.Ordinal) + 2;
        body = body[..start] + (signature is null ? "" : "x-amz-trailer-signature:" + signature + "\r\n") + body[end..];

        (await DecodeAsync(body, ChunkedBody.Options(AwsChunkedMode.SignedPayloadTrailer, payload.Length, ChecksumAlgorithm.Crc32)))
            .Code.ShouldBe(S3ErrorCodes.SignatureDoesNotMatch);
    }

    [Fact]
    public async Task Trailer_value_changed_after_signing_is_SignatureDoesNotMatch()
    {
        byte[] payload = new byte[9000];
        string body = Encoding.ASCII.GetString(ChunkedBody.Build(AwsChunkedMode.SignedPayloadTrailer, payload, [], ChecksumAlgorithm.Crc32));
        string value = ChecksumAlgorithms.ComputeValue(ChecksumAlgorithm.Crc32, payload);
        body = body.Replace(value, "AAAAAA==", StringComparison.Ordinal);

        (await DecodeAsync(body, ChunkedBody.Options(AwsChunkedMode.SignedPayloadTrailer, payload.Length, ChecksumAlgorithm.Crc32)))
            .Code.ShouldBe(S3ErrorCodes.SignatureDoesNotMatch);
    }

    [Fact]
    public async Task Failure_sticks_every_later_read_throws_the_same_error()
    {
        using var decoder = new AwsChunkedDecodingStream(
            new MemoryStream("A\r\nshort"u8.ToArray()), ChunkedBody.Options(AwsChunkedMode.UnsignedPayloadTrailer, 10));
        byte[] buffer = new byte[100];

        (await decoder.ReadAsync(buffer)).ShouldBe(5);
        S3PayloadException first = await Should.ThrowAsync<S3PayloadException>(async () => _ = await decoder.ReadAsync(buffer));
        S3PayloadException again = await Should.ThrowAsync<S3PayloadException>(async () => _ = await decoder.ReadAsync(buffer));

        again.ShouldBeSameAs(first);
        Should.Throw<S3PayloadException>(() => decoder.Read(buffer, 0, 1)).ShouldBeSameAs(first);
        decoder.IsCompleted.ShouldBeFalse();
        decoder.ChecksumValue.ShouldBeNull();
    }

    [Fact]
    public async Task Error_of_the_body_stream_passes_through_unchanged()
    {
        using var decoder = new AwsChunkedDecodingStream(new FailingStream(), ChunkedBody.Options(AwsChunkedMode.UnsignedPayloadTrailer, 10));

        await Should.ThrowAsync<IOException>(async () => _ = await decoder.ReadAsync(new byte[10]));
    }

    private static Task<S3PayloadException> DecodeUnsignedAsync(string body, long length, string? declaredTrailer)
    {
        ChecksumAlgorithm? algorithm = null;
        if (declaredTrailer is not null && ChecksumAlgorithms.TryParseHeaderName(declaredTrailer, out ChecksumAlgorithm parsed))
        {
            algorithm = parsed;
        }

        return DecodeAsync(body, ChunkedBody.Options(AwsChunkedMode.UnsignedPayloadTrailer, length, algorithm));
    }

    private static Task<S3PayloadException> DecodeAsync(string body, AwsChunkedDecodingOptions options) =>
        DecodeAsync(Encoding.ASCII.GetBytes(body), options);

    private static async Task<S3PayloadException> DecodeAsync(byte[] body, AwsChunkedDecodingOptions options)
    {
        using var decoder = new AwsChunkedDecodingStream(new MemoryStream(body), options);
        return await Should.ThrowAsync<S3PayloadException>(() => AwsExampleTests.ReadAllAsync(decoder));
    }

    private sealed class FailingStream : MemoryStream
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            throw new IOException("The client went away.");
    }
}
