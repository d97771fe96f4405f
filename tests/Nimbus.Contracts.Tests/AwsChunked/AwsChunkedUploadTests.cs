using Nimbus.Contracts.Checksums;
using Nimbus.Contracts.Signing;
using Nimbus.Contracts.Tests.Signing;
using Shouldly;
using Xunit;

namespace Nimbus.Contracts.Tests.AwsChunked;

public sealed class AwsChunkedUploadTests
{
    [Theory]
    [InlineData(AwsChunkedMode.SignedPayload, null)]
    [InlineData(AwsChunkedMode.SignedPayloadTrailer, ChecksumAlgorithm.Crc64Nvme)]
    [InlineData(AwsChunkedMode.UnsignedPayloadTrailer, ChecksumAlgorithm.Crc32C)]
    [InlineData(AwsChunkedMode.UnsignedPayloadTrailer, ChecksumAlgorithm.Sha256)]
    public async Task Prepared_upload_verifies_and_decodes_on_the_server_side(AwsChunkedMode mode, ChecksumAlgorithm? checksum)
    {
        byte[] payload = RoundTripTests.Payload(300_000);
        using var request = new HttpRequestMessage(HttpMethod.Put, "http://127.0.0.1:9000/bucket/dir/report 2025.csv")
        {
            Content = new StringContent("placeholder", System.Text.Encoding.UTF8, "text/csv"),
        };
        request.Content.Headers.ContentEncoding.Add("gzip");

        AwsChunkedUpload.Prepare(request, new MemoryStream(payload), payload.Length, VerifierFixture.Credentials, "local", "s3", VerifierFixture.Now, mode, checksum);

        request.Content.ShouldNotBeNull();
        request.Content.Headers.ContentEncoding.ShouldBe(["aws-chunked", "gzip"]);
        request.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        byte[] body = await request.Content.ReadAsByteArrayAsync();
        body.LongLength.ShouldBe(request.Content.Headers.ContentLength!.Value);

        SigV4Request received = SigV4Request.FromHttpRequestMessage(request, payloadHash: null);
        SigV4Result result = await new VerifierFixture(s3Mode: true, service: "s3").VerifyAsync(received);
        result.Succeeded.ShouldBeTrue(result.ToString() + "\n" + result.CanonicalRequest);
        result.ContentSha256.ShouldBe(AwsChunkedPayload.GetContentSha256(mode));
        using var decoder = new AwsChunkedDecodingStream(new MemoryStream(body), AwsChunkedDecodingOptions.FromRequest(received.Headers, result));

        (await AwsExampleTests.ReadAllAsync(decoder)).ShouldBe(payload);
        decoder.ChecksumValue.ShouldBe(checksum is { } c ? ChecksumAlgorithms.ComputeValue(c, payload) : null);
        AwsChunkedPayload.StripContentEncoding(string.Join(',', request.Content.Headers.ContentEncoding)).ShouldBe("gzip");
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("aws-chunked", null)]
    [InlineData("AWS-Chunked, gzip", "gzip")]
    [InlineData("gzip,aws-chunked,br", "gzip,br")]
    [InlineData("gzip", "gzip")]
    public void Stored_content_encoding_drops_aws_chunked(string? header, string? stored)
    {
        AwsChunkedPayload.StripContentEncoding(header).ShouldBe(stored);
    }

    [Fact]
    public void A_checksum_without_a_trailer_mode_is_refused()
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "http://127.0.0.1:9000/b/k");

        Should.Throw<ArgumentException>(() => AwsChunkedUpload.Prepare(
            request, new MemoryStream(), 0, VerifierFixture.Credentials, "local", "s3", VerifierFixture.Now, AwsChunkedMode.SignedPayload, ChecksumAlgorithm.Crc32));
    }
}
