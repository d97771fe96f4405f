using System.Net;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Shouldly;
using Xunit;

namespace Nimbus.Storage.Tests;

public sealed class ObjectSemanticsTests(StorageServer fixture) : IClassFixture<StorageServer>
{
    [Fact]
    public async Task Metadata_and_representation_headers_come_back_on_head_and_get()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        var put = new PutObjectRequest { BucketName = bucket, Key = "doc.txt", ContentBody = "hello", ContentType = "text/plain" };
        put.Metadata.Add("x-amz-meta-color", "blue");
        put.Headers.ContentDisposition = "attachment; filename=\"doc.txt\"";
        put.Headers.CacheControl = "max-age=60";
        put.Headers.ContentEncoding = "identity";
        await s3.PutObjectAsync(put);

        var head = await s3.GetObjectMetadataAsync(bucket, "doc.txt");
        head.Metadata["x-amz-meta-color"].ShouldBe("blue");
        head.Headers.ContentType.ShouldBe("text/plain");
        head.Headers.ContentDisposition.ShouldBe("attachment; filename=\"doc.txt\"");
        head.Headers.CacheControl.ShouldBe("max-age=60");
        head.Headers.ContentEncoding.ShouldBe("identity");
        head.Headers.ContentLength.ShouldBe(5);
        head.ETag.ShouldBe("\"" + Convert.ToHexStringLower(MD5.HashData("hello"u8)) + "\"");
    }

    [Fact]
    public async Task Range_requests_return_the_asked_bytes_and_unsatisfiable_ranges_are_416()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        var body = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "big", InputStream = new MemoryStream(body) });

        (await ReadAsync(s3, bucket, "big", new ByteRange(1_048_570, 2_097_160))).ShouldBe(body[1_048_570..2_097_161]);
        (await ReadAsync(s3, bucket, "big", new ByteRange("bytes=-100"))).ShouldBe(body[^100..]);
        (await ReadAsync(s3, bucket, "big", new ByteRange("bytes=3145000-"))).ShouldBe(body[3_145_000..]);

        var error = await Should.ThrowAsync<AmazonS3Exception>(() => s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "big", ByteRange = new ByteRange(body.Length, body.Length + 10) }));
        error.ErrorCode.ShouldBe("InvalidRange");
        error.StatusCode.ShouldBe(HttpStatusCode.RequestedRangeNotSatisfiable);
    }

    [Fact]
    public async Task Conditional_gets_answer_304_and_412_in_rfc_order()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        var put = await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "c", ContentBody = "v1" });
        var head = await s3.GetObjectMetadataAsync(bucket, "c");

        var notModified = await Should.ThrowAsync<AmazonS3Exception>(() => s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "c", EtagToNotMatch = put.ETag }));
        notModified.StatusCode.ShouldBe(HttpStatusCode.NotModified);

        var failed = await Should.ThrowAsync<AmazonS3Exception>(() => s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "c", EtagToMatch = "\"0000\"" }));
        failed.StatusCode.ShouldBe(HttpStatusCode.PreconditionFailed);
        failed.ErrorCode.ShouldBe("PreconditionFailed");

        // If-Match holds, so If-Unmodified-Since (in the past) is not evaluated: 200.
        using var both = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "c", EtagToMatch = put.ETag, UnmodifiedSinceDate = head.LastModified!.Value.ToUniversalTime().AddDays(-1) });
        both.HttpStatusCode.ShouldBe(HttpStatusCode.OK);

        var modifiedSince = await Should.ThrowAsync<AmazonS3Exception>(() => s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "c", ModifiedSinceDate = DateTime.UtcNow.AddMinutes(5) }));
        modifiedSince.StatusCode.ShouldBe(HttpStatusCode.NotModified);
    }

    [Fact]
    public async Task A_wrong_content_md5_is_BadDigest_and_stores_nothing()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        var error = await Should.ThrowAsync<AmazonS3Exception>(() => s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket,
            Key = "md5",
            ContentBody = "actual",
            MD5Digest = Convert.ToBase64String(MD5.HashData("something else"u8)),
        }));
        error.ErrorCode.ShouldBe("BadDigest");
        (await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).KeyCount.ShouldBe(0);
    }

    [Fact]
    public async Task A_body_that_differs_from_its_signed_sha256_is_XAmzContentSHA256Mismatch_and_stores_nothing()
    {
        // The SDK signs the SHA-256 of the body it was given; a handler below it flips one byte on the way out, as a
        // faulty proxy would. No checksum header: the signed hash alone must catch it.
        var config = new AmazonS3Config
        {
            ServiceURL = fixture.Server.S3Endpoint.ToString(),
            ForcePathStyle = true,
            AuthenticationRegion = "local",
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            HttpClientFactory = new BodyTamperingHttpClientFactory(),
        };
        using var tampering = new AmazonS3Client(new BasicAWSCredentials(fixture.Server.Admin.AccessKeyId, fixture.Server.Admin.SecretAccessKey), config);
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        var error = await Should.ThrowAsync<AmazonS3Exception>(() => tampering.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket,
            Key = "signed",
            InputStream = new MemoryStream(RandomNumberGenerator.GetBytes(300_000)),
            UseChunkEncoding = false,
            DisablePayloadSigning = false,
        }));
        error.ErrorCode.ShouldBe("XAmzContentSHA256Mismatch");
        error.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).KeyCount.ShouldBe(0);
    }

    [Theory]
    [InlineData(256 * 1024 + 1)]
    [InlineData(3 * 1024 * 1024 + 77)]
    public async Task Large_bodies_whose_md5_is_hashed_beside_the_receive_still_check_content_md5_and_give_the_md5_etag(int size)
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        var body = System.Security.Cryptography.RandomNumberGenerator.GetBytes(size);
        var wrong = await Should.ThrowAsync<AmazonS3Exception>(() => s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket,
            Key = "big",
            InputStream = new MemoryStream(body),
            MD5Digest = Convert.ToBase64String(MD5.HashData(body.AsSpan(1))),
        }));
        wrong.ErrorCode.ShouldBe("BadDigest");
        (await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).KeyCount.ShouldBe(0);

        var put = await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "big", InputStream = new MemoryStream(body), MD5Digest = Convert.ToBase64String(MD5.HashData(body)) });
        put.ETag.ShouldBe("\"" + Convert.ToHexStringLower(MD5.HashData(body)) + "\"");
    }

    [Theory]
    [InlineData("with space.txt")]
    [InlineData("plus+sign")]
    [InlineData("percent%20literal")]
    [InlineData("unicode-ключ-键-🔑")]
    [InlineData("a/../b")]
    [InlineData("dir//double")]
    [InlineData("q?x=1&y#frag")]
    public async Task Tricky_keys_are_stored_and_returned_exactly(string key)
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = key });
        using var get = await s3.GetObjectAsync(bucket, key);
        (await new StreamReader(get.ResponseStream).ReadToEndAsync()).ShouldBe(key);
        var list = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
        list.S3Objects.Select(o => o.Key).ShouldBe([key]);
        await s3.DeleteObjectAsync(bucket, key);
        (await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).KeyCount.ShouldBe(0);
    }

    [Fact]
    public async Task A_key_with_a_leading_slash_is_kept_as_sent_by_a_raw_client()
    {
        // The AWS SDK for .NET cannot send such a key (its URI handling drops the empty segment), so raw HTTP.
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        using var http = new HttpClient(new Nimbus.Testing.SigningHandler(fixture.Server.AdminCredentials, "local", "s3"));
        var url = new Uri(fixture.Server.S3Endpoint, $"/{bucket}//leading-slash");
        (await http.PutAsync(url, new ByteArrayContent("lead"u8.ToArray()))).StatusCode.ShouldBe(HttpStatusCode.OK);
        var list = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
        list.S3Objects.Select(o => o.Key).ShouldBe(["/leading-slash"]);
        (await http.GetStringAsync(url)).ShouldBe("lead");
    }

    [Fact]
    public async Task Missing_keys_are_NoSuchKey_and_deleting_them_succeeds()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        var error = await Should.ThrowAsync<AmazonS3Exception>(() => s3.GetObjectAsync(bucket, "absent"));
        error.ErrorCode.ShouldBe("NoSuchKey");
        error.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await s3.DeleteObjectAsync(bucket, "absent")).HttpStatusCode.ShouldBe(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task DeleteObjects_removes_a_batch_and_quiet_mode_reports_only_errors()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        foreach (var key in new[] { "a", "b", "c", "d" })
        {
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = key });
        }

        var verbose = await s3.DeleteObjectsAsync(new DeleteObjectsRequest { BucketName = bucket, Objects = [new KeyVersion { Key = "a" }, new KeyVersion { Key = "b" }, new KeyVersion { Key = "never" }] });
        verbose.DeletedObjects.Select(d => d.Key).Order().ShouldBe(["a", "b", "never"]);
        var quiet = await s3.DeleteObjectsAsync(new DeleteObjectsRequest { BucketName = bucket, Quiet = true, Objects = [new KeyVersion { Key = "c" }] });
        (quiet.DeletedObjects ?? []).ShouldBeEmpty();
        (await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).S3Objects.Select(o => o.Key).ShouldBe(["d"]);
    }

    [Fact]
    public async Task CopyObject_copies_or_replaces_metadata_and_honours_source_conditions()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        var put = new PutObjectRequest { BucketName = bucket, Key = "src", ContentBody = "copy me", ContentType = "text/x-src" };
        put.Metadata.Add("origin", "src");
        var source = await s3.PutObjectAsync(put);

        var copied = await s3.CopyObjectAsync(new CopyObjectRequest { SourceBucket = bucket, SourceKey = "src", DestinationBucket = bucket, DestinationKey = "copy" });
        copied.ETag.ShouldBe(source.ETag);
        var copyHead = await s3.GetObjectMetadataAsync(bucket, "copy");
        copyHead.Metadata["x-amz-meta-origin"].ShouldBe("src");
        copyHead.Headers.ContentType.ShouldBe("text/x-src");

        var replace = new CopyObjectRequest { SourceBucket = bucket, SourceKey = "src", DestinationBucket = bucket, DestinationKey = "replaced", MetadataDirective = S3MetadataDirective.REPLACE, ContentType = "text/x-new" };
        replace.Metadata.Add("origin", "replaced");
        await s3.CopyObjectAsync(replace);
        var replacedHead = await s3.GetObjectMetadataAsync(bucket, "replaced");
        replacedHead.Metadata["x-amz-meta-origin"].ShouldBe("replaced");
        replacedHead.Headers.ContentType.ShouldBe("text/x-new");

        var failed = await Should.ThrowAsync<AmazonS3Exception>(() => s3.CopyObjectAsync(new CopyObjectRequest { SourceBucket = bucket, SourceKey = "src", DestinationBucket = bucket, DestinationKey = "never", ETagToMatch = "\"deadbeef\"" }));
        failed.ErrorCode.ShouldBe("PreconditionFailed");
        var self = await Should.ThrowAsync<AmazonS3Exception>(() => s3.CopyObjectAsync(new CopyObjectRequest { SourceBucket = bucket, SourceKey = "src", DestinationBucket = bucket, DestinationKey = "src" }));
        self.ErrorCode.ShouldBe("InvalidRequest");
    }

    [Fact]
    public async Task Overwriting_a_key_serves_the_new_content()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k", ContentBody = "one" });
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k", ContentBody = "two!" });
        using var get = await s3.GetObjectAsync(bucket, "k");
        (await new StreamReader(get.ResponseStream).ReadToEndAsync()).ShouldBe("two!");
    }

    [Fact]
    public async Task Zero_byte_objects_round_trip()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        var put = await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "empty", InputStream = new MemoryStream() });
        put.ETag.ShouldBe("\"d41d8cd98f00b204e9800998ecf8427e\"");
        using var get = await s3.GetObjectAsync(bucket, "empty");
        get.ContentLength.ShouldBe(0);
    }

    private static async Task<byte[]> ReadAsync(AmazonS3Client s3, string bucket, string key, ByteRange range)
    {
        using var get = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = key, ByteRange = range });
        get.HttpStatusCode.ShouldBe(HttpStatusCode.PartialContent);
        using var copy = new MemoryStream();
        await get.ResponseStream.CopyToAsync(copy);
        return copy.ToArray();
    }

    private static async Task<string> NewBucketAsync(AmazonS3Client s3)
    {
        var bucket = StorageServer.NewBucketName();
        await s3.PutBucketAsync(bucket);
        return bucket;
    }
}
