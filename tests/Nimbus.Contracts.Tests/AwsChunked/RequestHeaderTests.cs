using System.Globalization;
using Nimbus.Contracts.Checksums;
using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Signing;
using Nimbus.Contracts.Tests.Signing;
using Shouldly;
using Xunit;

namespace Nimbus.Contracts.Tests.AwsChunked;

/// <summary>The request side: headers resolved into decoding options, and our signer, verifier, encoder and decoder end to end.</summary>
public sealed class RequestHeaderTests
{
    [Theory]
    [InlineData(false, AwsChunkedMode.SignedPayload, null)]
    [InlineData(true, AwsChunkedMode.SignedPayloadTrailer, ChecksumAlgorithm.Crc64Nvme)]
    public async Task Body_signed_by_our_signer_passes_our_verifier_and_decoder(bool withTrailer, AwsChunkedMode mode, ChecksumAlgorithm? checksum)
    {
        byte[] payload = RoundTripTests.Payload(150_000);
        using var request = new HttpRequestMessage(HttpMethod.Put, "http://localhost:9000/bucket/a%20key/ü.bin");
        request.Headers.TryAddWithoutValidation("x-amz-decoded-content-length", payload.Length.ToString(CultureInfo.InvariantCulture));
        if (checksum is { } algorithm)
        {
            request.Headers.TryAddWithoutValidation("x-amz-trailer", ChecksumAlgorithms.GetHeaderName(algorithm));
            request.Headers.TryAddWithoutValidation("x-amz-sdk-checksum-algorithm", ChecksumAlgorithms.GetName(algorithm));
        }

        SigV4ChunkSigningContext context = SigV4Signer.SignChunked(request, VerifierFixture.Credentials, "local", "s3", VerifierFixture.Now, withTrailer);
        var encoding = new AwsChunkedEncodingOptions { Mode = mode, ChunkSigning = context, TrailerChecksum = checksum };
        using var encoder = new AwsChunkedEncodingStream(new MemoryStream(payload), encoding);
        byte[] body = await AwsExampleTests.ReadAllAsync(encoder);

        SigV4Result result = await new VerifierFixture(s3Mode: true, service: "s3").VerifyAsync(SigV4Request.FromHttpRequestMessage(request, payloadHash: null));
        result.Succeeded.ShouldBeTrue(result.ToString() + "\n" + result.CanonicalRequest);
        result.ChunkSigning.ShouldNotBeNull().SeedSignature.ShouldBe(context.SeedSignature);
        var options = AwsChunkedDecodingOptions.FromRequest(SigV4Request.FromHttpRequestMessage(request, null).Headers, result);
        using var decoder = new AwsChunkedDecodingStream(new MemoryStream(body), options);

        (await AwsExampleTests.ReadAllAsync(decoder)).ShouldBe(payload);
        options.Mode.ShouldBe(mode);
        decoder.ChecksumValue.ShouldBe(checksum is { } c ? ChecksumAlgorithms.ComputeValue(c, payload) : null);
    }

    [Fact]
    public async Task Plain_requests_carry_no_chunk_signing_context()
    {
        using HttpRequestMessage request = VerifierFixture.SignedRequest(HttpMethod.Put, "http://localhost/bucket/key", "body", service: "s3");

        SigV4Result result = await new VerifierFixture(s3Mode: true, service: "s3").VerifyAsync(request, "body");

        result.Succeeded.ShouldBeTrue();
        result.ChunkSigning.ShouldBeNull();
    }

    [Fact]
    public void Options_come_from_the_headers()
    {
        SigV4Result result = Authenticated(AwsChunkedPayload.UnsignedWithTrailer);
        var headers = new SigV4HeaderCollection
        {
            { "x-amz-decoded-content-length", " 1234 " },
            { "x-amz-trailer", "X-Amz-Checksum-CRC32C" },
            { "x-amz-sdk-checksum-algorithm", "crc32c" },
        };

        var options = AwsChunkedDecodingOptions.FromRequest(headers, result, ChecksumAlgorithm.Crc64Nvme);

        options.Mode.ShouldBe(AwsChunkedMode.UnsignedPayloadTrailer);
        options.DecodedContentLength.ShouldBe(1234);
        options.DeclaredTrailers.ShouldBe(["x-amz-checksum-crc32c"]);
        options.Checksum.ShouldBe(new RequestChecksum(ChecksumAlgorithm.Crc32C, null, InTrailer: true));
        options.DefaultChecksum.ShouldBe(ChecksumAlgorithm.Crc64Nvme);
        options.ChunkSigning.ShouldBeNull();
    }

    [Theory]
    [InlineData(null, S3ErrorCodes.MissingContentLength)]
    [InlineData("abc", S3ErrorCodes.MissingContentLength)]
    [InlineData("-1", S3ErrorCodes.MissingContentLength)]
    [InlineData("12x", S3ErrorCodes.MissingContentLength)]
    public void Missing_or_malformed_decoded_length_is_MissingContentLength(string? length, string code)
    {
        var headers = new SigV4HeaderCollection();
        if (length is not null)
        {
            headers.Add("x-amz-decoded-content-length", length);
        }

        S3PayloadException error = Should.Throw<S3PayloadException>(() => AwsChunkedDecodingOptions.FromRequest(headers, Authenticated(AwsChunkedPayload.UnsignedWithTrailer)));

        error.Code.ShouldBe(code);
        error.StatusCode.ShouldBe(411);
    }

    [Theory]
    [InlineData(AwsChunkedPayload.UnsignedWithTrailer, "x-amz-meta-color", null, S3ErrorCodes.InvalidRequest)]
    [InlineData(AwsChunkedPayload.UnsignedWithTrailer, "x-amz-checksum-crc32, x-amz-checksum-sha1", null, S3ErrorCodes.InvalidRequest)]
    [InlineData(AwsChunkedPayload.UnsignedWithTrailer, "x-amz-checksum-crc32", "x-amz-checksum-sha1:qvTGHdzF6KLavt4PO0gs2a6pQ00=", S3ErrorCodes.InvalidRequest)]
    [InlineData(AwsChunkedPayload.UnsignedWithTrailer, "x-amz-checksum-crc32", "x-amz-sdk-checksum-algorithm:SHA1", S3ErrorCodes.InvalidRequest)]
    [InlineData(AwsChunkedPayload.UnsignedWithTrailer, null, "x-amz-sdk-checksum-algorithm:MD5", S3ErrorCodes.InvalidRequest)]
    [InlineData(AwsChunkedPayload.UnsignedWithTrailer, null, "x-amz-checksum-crc32:nope", S3ErrorCodes.InvalidRequest)]
    [InlineData(AwsChunkedPayload.Signed, "x-amz-checksum-crc32", null, S3ErrorCodes.InvalidRequest)]
    [InlineData("STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD", null, null, S3ErrorCodes.NotImplemented)]
    [InlineData("STREAMING-SOMETHING-ELSE", null, null, S3ErrorCodes.InvalidArgument)]
    [InlineData("UNSIGNED-PAYLOAD", null, null, S3ErrorCodes.InvalidArgument)]
    public void Contradictory_or_unsupported_declarations_are_refused(string contentSha256, string? trailer, string? extraHeader, string code)
    {
        var headers = new SigV4HeaderCollection { { "x-amz-decoded-content-length", "5" } };
        if (trailer is not null)
        {
            headers.Add("x-amz-trailer", trailer);
        }

        if (extraHeader is not null)
        {
            headers.Add(extraHeader[..extraHeader.IndexOf(':', StringComparison.Ordinal)], extraHeader[(extraHeader.IndexOf(':', StringComparison.Ordinal) + 1)..]);
        }

        Should.Throw<S3PayloadException>(() => AwsChunkedDecodingOptions.FromRequest(headers, Authenticated(contentSha256))).Code.ShouldBe(code);
    }

    [Fact]
    public void Signed_chunks_without_a_signing_context_are_refused()
    {
        SigV4Result presigned = SigV4Result.Success("AKID", null, VerifierFixture.Now, isPresigned: true, VerifierFixture.Now.AddMinutes(5), AwsChunkedPayload.Signed);

        Should.Throw<S3PayloadException>(() => AwsChunkedDecodingOptions.FromRequest(new SigV4HeaderCollection { { "x-amz-decoded-content-length", "5" } }, presigned))
            .Code.ShouldBe(S3ErrorCodes.InvalidRequest);
    }

    [Theory]
    [InlineData("x-amz-checksum-crc32:MSpqpg==", ChecksumAlgorithm.Crc32, "MSpqpg==")]
    [InlineData("x-amz-checksum-sha256: fRpUEnsiJQL1t5tfsIAwYRUqRPkrN+I8ZSe69mXU2po= ", ChecksumAlgorithm.Sha256, "fRpUEnsiJQL1t5tfsIAwYRUqRPkrN+I8ZSe69mXU2po=")]
    [InlineData("x-amz-sdk-checksum-algorithm:crc64nvme", ChecksumAlgorithm.Crc64Nvme, null)]
    public void Request_checksum_resolves_from_a_value_header_or_the_SDK_algorithm(string header, ChecksumAlgorithm algorithm, string? value)
    {
        int colon = header.IndexOf(':', StringComparison.Ordinal);
        var headers = new SigV4HeaderCollection { { header[..colon], header[(colon + 1)..] } };

        RequestChecksum.FromHeaders(headers, trailerAlgorithm: null).ShouldBe(new RequestChecksum(algorithm, value, InTrailer: false));
        RequestChecksum.FromHeaders(new SigV4HeaderCollection(), null).ShouldBeNull();
    }

    [Fact]
    public void Two_checksum_value_headers_are_InvalidRequest()
    {
        var headers = new SigV4HeaderCollection { { "x-amz-checksum-crc32", "MSpqpg==" }, { "x-amz-checksum-crc32c", "5if0QQ==" } };

        Should.Throw<S3PayloadException>(() => RequestChecksum.FromHeaders(headers, null)).Code.ShouldBe(S3ErrorCodes.InvalidRequest);
    }

    private static SigV4Result Authenticated(string contentSha256) =>
        SigV4Result.Success("AKID", null, VerifierFixture.Now, isPresigned: false, null, contentSha256);
}
