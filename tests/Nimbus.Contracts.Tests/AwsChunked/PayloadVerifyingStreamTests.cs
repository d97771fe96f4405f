using System.Security.Cryptography;
using Nimbus.Contracts.Checksums;
using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Signing;
using Nimbus.Contracts.Tests.Signing;
using Shouldly;
using Xunit;

namespace Nimbus.Contracts.Tests.AwsChunked;

public sealed class PayloadVerifyingStreamTests
{
    private static readonly byte[] Body = "hello world"u8.ToArray();

    [Fact]
    public async Task Plain_body_matching_every_promise_passes_and_reports_md5_and_checksum()
    {
        var headers = new SigV4HeaderCollection
        {
            { "Content-MD5", Convert.ToBase64String(MD5.HashData(Body)) },
            { "x-amz-checksum-crc64nvme", "jSnVw/bqjr4=" },
        };
        var options = PayloadVerificationOptions.FromRequest(headers, Authenticated(SigV4Signer.HashPayload(Body)), Body.Length);
        using var stream = new PayloadVerifyingStream(new MemoryStream(Body), options);

        (await AwsExampleTests.ReadAllAsync(stream)).ShouldBe(Body);

        stream.IsCompleted.ShouldBeTrue();
        stream.Md5.ShouldNotBeNull().ToArray().ShouldBe(MD5.HashData(Body));
        stream.ChecksumValue.ShouldBe("jSnVw/bqjr4=");
    }

    [Theory]
    [InlineData("sha256", S3ErrorCodes.XAmzContentSha256Mismatch)]
    [InlineData("md5", S3ErrorCodes.BadDigest)]
    [InlineData("checksum", S3ErrorCodes.BadDigest)]
    [InlineData("short", S3ErrorCodes.IncompleteBody)]
    [InlineData("long", S3ErrorCodes.IncompleteBody)]
    public async Task Each_broken_promise_fails_with_its_S3_code(string broken, string code)
    {
        byte[] other = "hello World"u8.ToArray();
        var headers = new SigV4HeaderCollection
        {
            { "Content-MD5", Convert.ToBase64String(MD5.HashData(broken == "md5" ? other : Body)) },
            { "x-amz-checksum-crc32", ChecksumAlgorithms.ComputeValue(ChecksumAlgorithm.Crc32, broken == "checksum" ? other : Body) },
        };
        string sha256 = SigV4Signer.HashPayload(broken == "sha256" ? other : Body);
        long length = broken switch { "short" => Body.Length + 1, "long" => Body.Length - 1, _ => Body.Length };
        using var stream = new PayloadVerifyingStream(new MemoryStream(Body), PayloadVerificationOptions.FromRequest(headers, Authenticated(sha256), length));

        S3PayloadException error = await Should.ThrowAsync<S3PayloadException>(() => AwsExampleTests.ReadAllAsync(stream));

        error.Code.ShouldBe(code);
        stream.IsCompleted.ShouldBeFalse();
        (await Should.ThrowAsync<S3PayloadException>(async () => _ = await stream.ReadAsync(new byte[1]))).ShouldBeSameAs(error);
    }

    [Theory]
    [InlineData("not base64")]
    [InlineData("AAAA")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void Malformed_Content_MD5_is_InvalidDigest(string value)
    {
        var headers = new SigV4HeaderCollection { { "Content-MD5", value } };

        Should.Throw<S3PayloadException>(() => PayloadVerificationOptions.FromRequest(headers, Authenticated(SigV4Signer.UnsignedPayload), 3))
            .Code.ShouldBe(S3ErrorCodes.InvalidDigest);
    }

    [Fact]
    public void A_trailer_on_a_plain_body_is_InvalidRequest()
    {
        var headers = new SigV4HeaderCollection { { "x-amz-trailer", "x-amz-checksum-crc32" } };

        Should.Throw<S3PayloadException>(() => PayloadVerificationOptions.FromRequest(headers, Authenticated(SigV4Signer.UnsignedPayload), 3))
            .Code.ShouldBe(S3ErrorCodes.InvalidRequest);
    }

    [Fact]
    public async Task Unsigned_payload_of_unknown_length_is_only_hashed()
    {
        var options = PayloadVerificationOptions.FromRequest(
            new SigV4HeaderCollection(), Authenticated(SigV4Signer.UnsignedPayload), contentLength: null, computeMd5: true, ChecksumAlgorithm.Crc64Nvme);
        using var stream = new PayloadVerifyingStream(new TrickleStream(Body, 1, 3), options);

        (await AwsExampleTests.ReadAllAsync(stream)).ShouldBe(Body);

        stream.BytesRead.ShouldBe(Body.Length);
        stream.ChecksumValue.ShouldBe("jSnVw/bqjr4=");
        Convert.ToHexStringLower(stream.Md5!.Value.Span).ShouldBe("5eb63bbbe01eeed093cb22bb8f5acdc3");
    }

    [Fact]
    public async Task Wrapped_around_the_aws_chunked_decoder_it_checks_Content_MD5_and_the_decoded_length()
    {
        byte[] chunked = "B\r\nhello world\r\n0\r\n\r\n"u8.ToArray();
        var headers = new SigV4HeaderCollection
        {
            { "x-amz-decoded-content-length", "11" },
            { "Content-MD5", Convert.ToBase64String(MD5.HashData(Body)) },
        };
        SigV4Result auth = Authenticated(AwsChunkedPayload.UnsignedWithTrailer);
        var decoder = new AwsChunkedDecodingStream(new MemoryStream(chunked), AwsChunkedDecodingOptions.FromRequest(headers, auth));
        var options = PayloadVerificationOptions.FromRequest(headers, auth, contentLength: chunked.Length, computeMd5: true);
        using var stream = new PayloadVerifyingStream(decoder, options);

        (await AwsExampleTests.ReadAllAsync(stream)).ShouldBe(Body);

        options.ExpectedLength.ShouldBe(11);
        options.ExpectedSha256.ShouldBeNull();
        stream.IsCompleted.ShouldBeTrue();
        decoder.IsCompleted.ShouldBeTrue();
    }

    private static SigV4Result Authenticated(string contentSha256) =>
        SigV4Result.Success("AKID", null, VerifierFixture.Now, isPresigned: false, null, contentSha256);
}
