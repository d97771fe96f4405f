using System.Net;
using System.Security.Cryptography;
using Nimbus.Cli.Tests.Fakes;
using Nimbus.Contracts.Checksums;
using Nimbus.Sdk;
using Nimbus.Sdk.S3;
using Shouldly;
using Xunit;

namespace Nimbus.Cli.Tests.Sdk;

/// <summary>The S3 client never hands over bytes that do not match what the server says it stored.</summary>
public sealed class S3ClientIntegrityTests
{
    private static S3Client Client(CannedHandler handler) =>
        new(new S3ClientOptions { Endpoint = new Uri("http://s3.test:9000"), Credentials = new("NKIATEST", "secret"), MaxRetries = 0 }, handler, disposeHandler: false);

    private static HttpResponseMessage Object(byte[] body, string etag, params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(body) };
        response.Headers.TryAddWithoutValidation("ETag", etag);
        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }

    [Fact]
    public async Task Get_refuses_bytes_whose_full_object_checksum_differs_and_asks_for_the_checksum()
    {
        var stored = "stored bytes"u8.ToArray();
        var crc = ChecksumAlgorithms.ComputeValue(ChecksumAlgorithm.Crc64Nvme, stored);
        using var handler = new CannedHandler();
        handler.Answer(_ => Object("other bytes!"u8.ToArray(), "\"0123456789abcdef0123456789abcdef-2\"", ("x-amz-checksum-crc64nvme", crc), ("x-amz-checksum-type", "FULL_OBJECT")));
        handler.Answer(_ => Object(stored, "\"0123456789abcdef0123456789abcdef-2\"", ("x-amz-checksum-crc64nvme", crc), ("x-amz-checksum-type", "FULL_OBJECT")));
        using var s3 = Client(handler);

        var refused = await Should.ThrowAsync<IOException>(() => s3.GetObjectAsync("b", "k", new MemoryStream()));
        refused.Message.ShouldBe($"Download of 'k': the bytes received do not match the object's CRC64NVME checksum {crc}.");
        using var good = new MemoryStream();
        (await s3.GetObjectAsync("b", "k", good)).Checksums["crc64nvme"].ShouldBe(crc);
        good.ToArray().ShouldBe(stored);
        handler.Requests[0].Header("x-amz-checksum-mode").ShouldBe("ENABLED");
    }

    [Fact]
    public async Task Get_refuses_bytes_that_do_not_match_a_single_put_etag_or_arrive_short()
    {
        using var handler = new CannedHandler();
        handler.Answer(_ => Object("tampered"u8.ToArray(), "\"" + Convert.ToHexStringLower(MD5.HashData("original"u8)) + "\""));
        using var s3 = Client(handler);

        (await Should.ThrowAsync<IOException>(() => s3.GetObjectAsync("b", "k", new MemoryStream()))).Message
            .ShouldBe($"Download of 'k': the bytes received do not match the object's ETag \"{Convert.ToHexStringLower(MD5.HashData("original"u8))}\".");
    }

    [Fact]
    public async Task Put_refuses_an_etag_that_is_not_the_md5_of_what_was_sent()
    {
        using var handler = new CannedHandler();
        handler.Answer(_ => Object([], "\"00000000000000000000000000000000\""));
        using var s3 = Client(handler);

        var error = await Should.ThrowAsync<IOException>(() => s3.PutObjectAsync("b", "k", "payload"u8.ToArray()));
        error.Message.ShouldStartWith("Upload of 'k': the server's ETag \"00000000000000000000000000000000\" is not the MD5 of the bytes sent");
    }

    [Fact]
    public async Task S3_error_documents_become_api_exceptions_with_the_s3_code()
    {
        using var handler = new CannedHandler();
        handler.Answer(_ => CannedHandler.Response(HttpStatusCode.NotFound, "<?xml version=\"1.0\"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><RequestId>req-1</RequestId></Error>", "application/xml"));
        handler.Answer(_ => CannedHandler.Response(HttpStatusCode.OK, "<Error><Code>InternalError</Code><Message>late failure</Message></Error>", "application/xml"));
        using var s3 = Client(handler);

        var missing = await Should.ThrowAsync<NimbusApiException>(() => s3.GetObjectAsync("b", "k", new MemoryStream()));
        (missing.Code, missing.Message, missing.RequestId, missing.StatusCode).ShouldBe(("NoSuchKey", "The specified key does not exist.", "req-1", HttpStatusCode.NotFound));
        var late = await Should.ThrowAsync<NimbusApiException>(() => s3.CompleteMultipartUploadAsync("b", "k", "u1", [new S3CompletedPart(1, "\"e\"")]));
        (late.Code, late.Message).ShouldBe(("InternalError", "late failure"));
    }
}
