using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.S3.Transfer;
using Shouldly;
using Xunit;

namespace Nimbus.Storage.Tests;

public sealed class MultipartTests(StorageServer fixture) : IClassFixture<StorageServer>
{
    private const int Mib = 1024 * 1024;

    [Fact]
    public async Task TransferUtility_uploads_a_40_MiB_file_in_parts_and_it_reads_back_identical()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        var path = Path.Combine(Path.GetTempPath(), "nimbus-mpu-" + Guid.NewGuid().ToString("N"));
        var body = RandomNumberGenerator.GetBytes(40 * Mib + 12345);
        await File.WriteAllBytesAsync(path, body);
        try
        {
            using var transfer = new TransferUtility(s3);
            var request = new TransferUtilityUploadRequest { BucketName = bucket, Key = "big/file.bin", FilePath = path, PartSize = 8 * Mib };
            await transfer.UploadAsync(request);

            var head = await s3.GetObjectMetadataAsync(bucket, "big/file.bin");
            head.ContentLength.ShouldBe(body.Length);
            head.ETag.ShouldEndWith("-6\"");
            using var get = await s3.GetObjectAsync(bucket, "big/file.bin");
            using var copy = new MemoryStream();
            await get.ResponseStream.CopyToAsync(copy);
            SHA256.HashData(copy.ToArray()).ShouldBe(SHA256.HashData(body));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Complete_checks_part_sizes_order_and_etags_and_computes_the_multipart_etag()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        var create = await s3.InitiateMultipartUploadAsync(bucket, "mp");
        var one = RandomNumberGenerator.GetBytes(5 * Mib);
        var two = RandomNumberGenerator.GetBytes(1000);
        var p1 = await UploadAsync(s3, bucket, "mp", create.UploadId, 1, one);
        var p2 = await UploadAsync(s3, bucket, "mp", create.UploadId, 2, two);

        // The SDK sorts the parts it sends, so the order check takes a raw request.
        using (var http = new HttpClient(new Nimbus.Testing.SigningHandler(fixture.Server.AdminCredentials, "local", "s3")))
        {
            var xml = $"<CompleteMultipartUpload><Part><PartNumber>2</PartNumber><ETag>{p2}</ETag></Part><Part><PartNumber>1</PartNumber><ETag>{p1}</ETag></Part></CompleteMultipartUpload>";
            var response = await http.PostAsync(new Uri(fixture.Server.S3Endpoint, $"/{bucket}/mp?uploadId={Uri.EscapeDataString(create.UploadId)}"), new StringContent(xml));
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            (await response.Content.ReadAsStringAsync()).ShouldContain("<Code>InvalidPartOrder</Code>");
        }

        var wrong = await Should.ThrowAsync<AmazonS3Exception>(() => CompleteAsync(s3, bucket, "mp", create.UploadId, (1, "\"00000000000000000000000000000000\"")));
        wrong.ErrorCode.ShouldBe("InvalidPart");
        var small = await Should.ThrowAsync<AmazonS3Exception>(() => CompleteAsync(s3, bucket, "mp", create.UploadId, (2, p2), (3, p2)));
        small.ErrorCode.ShouldBeOneOf("InvalidPart", "EntityTooSmall");

        var parts = await s3.ListPartsAsync(new ListPartsRequest { BucketName = bucket, Key = "mp", UploadId = create.UploadId });
        parts.Parts.Select(p => p.PartNumber).ShouldBe([1, 2]);
        parts.Parts.Select(p => p.Size).ShouldBe([5L * Mib, 1000L]);

        var done = await CompleteAsync(s3, bucket, "mp", create.UploadId, (1, p1), (2, p2));
        var expected = MD5.HashData([.. MD5.HashData(one), .. MD5.HashData(two)]);
        done.ETag.ShouldBe("\"" + Convert.ToHexStringLower(expected) + "-2\"");
        using var get = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "mp", ByteRange = new ByteRange(5 * Mib - 10, 5 * Mib + 9) });
        using var copy = new MemoryStream();
        await get.ResponseStream.CopyToAsync(copy);
        copy.ToArray().ShouldBe([.. one[^10..], .. two[..10]]);
        ((await s3.ListMultipartUploadsAsync(bucket)).MultipartUploads ?? []).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_small_part_before_the_last_is_EntityTooSmall()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        var create = await s3.InitiateMultipartUploadAsync(bucket, "small");
        var p1 = await UploadAsync(s3, bucket, "small", create.UploadId, 1, RandomNumberGenerator.GetBytes(100));
        var p2 = await UploadAsync(s3, bucket, "small", create.UploadId, 2, RandomNumberGenerator.GetBytes(100));
        var error = await Should.ThrowAsync<AmazonS3Exception>(() => CompleteAsync(s3, bucket, "small", create.UploadId, (1, p1), (2, p2)));
        error.ErrorCode.ShouldBe("EntityTooSmall");
    }

    [Fact]
    public async Task Part_numbers_run_from_1_to_10000_and_others_are_InvalidArgument()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        var create = await s3.InitiateMultipartUploadAsync(bucket, "numbers");
        await UploadAsync(s3, bucket, "numbers", create.UploadId, 10_000, RandomNumberGenerator.GetBytes(10));
        foreach (var number in new[] { 10_001, 0 })
        {
            var error = await Should.ThrowAsync<AmazonS3Exception>(() => UploadAsync(s3, bucket, "numbers", create.UploadId, number, RandomNumberGenerator.GetBytes(10)));
            error.ErrorCode.ShouldBe("InvalidArgument");
            error.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        }

        var parts = await s3.ListPartsAsync(new ListPartsRequest { BucketName = bucket, Key = "numbers", UploadId = create.UploadId });
        parts.Parts.Select(p => p.PartNumber).ShouldBe([10_000]);
    }

    [Fact]
    public async Task Uploads_are_listed_and_abort_removes_them()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        var first = await s3.InitiateMultipartUploadAsync(bucket, "dir/one");
        var second = await s3.InitiateMultipartUploadAsync(bucket, "two");
        await UploadAsync(s3, bucket, "two", second.UploadId, 1, RandomNumberGenerator.GetBytes(10));

        var listed = await s3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket });
        listed.MultipartUploads.Select(u => (u.Key, u.UploadId)).ShouldBe([("dir/one", first.UploadId), ("two", second.UploadId)]);
        var rolled = await s3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket, Delimiter = "/" });
        rolled.CommonPrefixes.ShouldBe(["dir/"]);

        await s3.AbortMultipartUploadAsync(bucket, "two", second.UploadId);
        var gone = await Should.ThrowAsync<AmazonS3Exception>(() => s3.ListPartsAsync(new ListPartsRequest { BucketName = bucket, Key = "two", UploadId = second.UploadId }));
        gone.ErrorCode.ShouldBe("NoSuchUpload");
        gone.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task UploadPartCopy_copies_a_range_of_another_object()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        var source = RandomNumberGenerator.GetBytes(6 * Mib);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "source", InputStream = new MemoryStream(source) });
        var create = await s3.InitiateMultipartUploadAsync(bucket, "assembled");
        var copy1 = await s3.CopyPartAsync(new CopyPartRequest { SourceBucket = bucket, SourceKey = "source", DestinationBucket = bucket, DestinationKey = "assembled", UploadId = create.UploadId, PartNumber = 1, FirstByte = 0, LastByte = 5 * Mib - 1 });
        var copy2 = await s3.CopyPartAsync(new CopyPartRequest { SourceBucket = bucket, SourceKey = "source", DestinationBucket = bucket, DestinationKey = "assembled", UploadId = create.UploadId, PartNumber = 2, FirstByte = 5 * Mib, LastByte = 6 * Mib - 1 });
        var pastEnd = await Should.ThrowAsync<AmazonS3Exception>(() => s3.CopyPartAsync(new CopyPartRequest { SourceBucket = bucket, SourceKey = "source", DestinationBucket = bucket, DestinationKey = "assembled", UploadId = create.UploadId, PartNumber = 3, FirstByte = 5 * Mib, LastByte = 6 * Mib }));
        pastEnd.ErrorCode.ShouldBe("InvalidArgument");
        pastEnd.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        await CompleteAsync(s3, bucket, "assembled", create.UploadId, (1, copy1.ETag), (2, copy2.ETag));
        using var get = await s3.GetObjectAsync(bucket, "assembled");
        using var copy = new MemoryStream();
        await get.ResponseStream.CopyToAsync(copy);
        copy.ToArray().ShouldBe(source);
    }

    private static async Task<string> UploadAsync(AmazonS3Client s3, string bucket, string key, string uploadId, int number, byte[] data)
    {
        var part = await s3.UploadPartAsync(new UploadPartRequest { BucketName = bucket, Key = key, UploadId = uploadId, PartNumber = number, InputStream = new MemoryStream(data) });
        return part.ETag;
    }

    private static Task<CompleteMultipartUploadResponse> CompleteAsync(AmazonS3Client s3, string bucket, string key, string uploadId, params (int Number, string ETag)[] parts) =>
        s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = bucket,
            Key = key,
            UploadId = uploadId,
            PartETags = [.. parts.Select(p => new PartETag(p.Number, p.ETag))],
        });

    private static async Task<string> NewBucketAsync(AmazonS3Client s3)
    {
        var bucket = StorageServer.NewBucketName();
        await s3.PutBucketAsync(bucket);
        return bucket;
    }
}
