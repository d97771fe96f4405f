using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Storage.Tests;

/// <summary>
/// CompleteMultipartUpload that outlasts its keep-alive threshold (zero here, so every completion takes that path):
/// a 200 starts at once with the XML declaration, and the result, or an error found later, follows in the body.
/// </summary>
public sealed class CompleteKeepAliveTests
{
    [Fact]
    public async Task A_slow_completion_answers_200_at_once_and_puts_the_result_or_the_error_in_the_body()
    {
        await using var server = await NimbusServer.StartAsync(o => o with { S3CompleteKeepAliveAfter = TimeSpan.Zero });
        using var s3 = StorageServer.CreateClient(server);
        var bucket = StorageServer.NewBucketName();
        await s3.PutBucketAsync(bucket);
        await s3.PutBucketVersioningAsync(new PutBucketVersioningRequest { BucketName = bucket, VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled } });
        var one = RandomNumberGenerator.GetBytes(5 * 1024 * 1024);
        var two = RandomNumberGenerator.GetBytes(4321);
        var create = await s3.InitiateMultipartUploadAsync(bucket, "slow");
        var p1 = (await s3.UploadPartAsync(new UploadPartRequest { BucketName = bucket, Key = "slow", UploadId = create.UploadId, PartNumber = 1, InputStream = new MemoryStream(one) })).ETag;
        var p2 = (await s3.UploadPartAsync(new UploadPartRequest { BucketName = bucket, Key = "slow", UploadId = create.UploadId, PartNumber = 2, InputStream = new MemoryStream(two) })).ETag;

        // An error found after the 200 started: S3 clients read it from the body.
        var wrong = await Should.ThrowAsync<AmazonS3Exception>(() => s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = bucket,
            Key = "slow",
            UploadId = create.UploadId,
            PartETags = [new PartETag(1, p1), new PartETag(2, "\"00000000000000000000000000000000\"")],
        }));
        wrong.ErrorCode.ShouldBe("InvalidPart");

        using (var http = new HttpClient(new SigningHandler(server.AdminCredentials, "local", "s3")))
        {
            var xml = $"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{p1}</ETag></Part><Part><PartNumber>2</PartNumber><ETag>{p1}</ETag></Part></CompleteMultipartUpload>";
            using var raw = await http.PostAsync(new Uri(server.S3Endpoint, $"/{bucket}/slow?uploadId={Uri.EscapeDataString(create.UploadId)}"), new StringContent(xml));
            raw.StatusCode.ShouldBe(HttpStatusCode.OK);
            var body = await raw.Content.ReadAsStringAsync();
            body.ShouldStartWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
            body.ShouldContain("<Error><Code>InvalidPart</Code>");
        }

        // The upload is still there after the failures, and completes with the result in the body.
        var done = await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = bucket,
            Key = "slow",
            UploadId = create.UploadId,
            PartETags = [new PartETag(1, p1), new PartETag(2, p2)],
        });
        done.ETag.ShouldBe("\"" + Convert.ToHexStringLower(MD5.HashData([.. MD5.HashData(one), .. MD5.HashData(two)])) + "-2\"");
        done.VersionId.ShouldNotBeNullOrEmpty();
        var head = await s3.GetObjectMetadataAsync(bucket, "slow");
        head.VersionId.ShouldBe(done.VersionId);
        head.ContentLength.ShouldBe(one.Length + two.Length);
    }
}
