using System.Net;
using System.Net.Http.Json;
using Amazon.S3;
using Amazon.S3.Model;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Storage.Tests;

public sealed class StorageQuotaTests
{
    [Fact]
    public async Task Concurrent_puts_never_take_storage_bytes_past_the_limit_and_the_next_put_sees_the_last_at_once()
    {
        await using var server = await NimbusServer.StartAsync();
        using var api = server.SignedHttpClient();
        using var s3 = StorageServer.CreateClient(server);
        var bucket = StorageServer.NewBucketName();
        await s3.PutBucketAsync(bucket);
        var set = await api.PutAsJsonAsync("/v1/quotas/storage.bytes", new { limit = 10_000 });
        set.StatusCode.ShouldBe(HttpStatusCode.OK);

        // Twenty PUTs of 1,000 bytes at once against a limit of 10,000: reservations let exactly ten through.
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
        {
            try
            {
                await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = $"k{i}", InputStream = new MemoryStream(new byte[1000]) });
                return "stored";
            }
            catch (AmazonS3Exception ex)
            {
                return ex.ErrorCode;
            }
        }));
        outcomes.Count(o => o == "stored").ShouldBe(10);
        outcomes.Count(o => o == "QuotaExceeded").ShouldBe(10);
        var listed = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
        listed.S3Objects.Sum(o => o.Size ?? 0).ShouldBe(10_000);

        // Right after a delete the bytes are free again, and right after a PUT they are taken: no publication lag.
        await s3.DeleteObjectAsync(bucket, listed.S3Objects[0].Key);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "again", InputStream = new MemoryStream(new byte[1000]) });
        var refused = await Should.ThrowAsync<AmazonS3Exception>(() => s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "one-too-many", InputStream = new MemoryStream(new byte[1]) }));
        refused.ErrorCode.ShouldBe("QuotaExceeded");
        refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task The_storage_buckets_quota_refuses_the_bucket_past_the_limit_until_one_is_deleted()
    {
        await using var server = await NimbusServer.StartAsync();
        using var api = server.SignedHttpClient();
        using var s3 = StorageServer.CreateClient(server);
        (await api.PutAsJsonAsync("/v1/quotas/storage.buckets", new { limit = 2 })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var names = Enumerable.Range(0, 3).Select(_ => StorageServer.NewBucketName()).ToList();
        await s3.PutBucketAsync(names[0]);
        await s3.PutBucketAsync(names[1]);

        // S3's code for an account at its bucket limit, so clients report it as they would against AWS.
        var refused = await Should.ThrowAsync<AmazonS3Exception>(() => s3.PutBucketAsync(names[2]));
        refused.ErrorCode.ShouldBe("TooManyBuckets");
        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        refused.Message.ShouldContain("storage.buckets");
        (await s3.ListBucketsAsync()).Buckets.Select(b => b.BucketName).Order(StringComparer.Ordinal).ShouldBe(names.Take(2).Order(StringComparer.Ordinal));

        // The REST API's create takes from the same quota and answers as every platform quota does.
        var viaApi = await api.PostAsJsonAsync("/v1/storage/buckets", new { name = names[2] });
        viaApi.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await viaApi.Content.ReadAsStringAsync()).ShouldContain("QuotaExceeded");

        await s3.DeleteBucketAsync(names[0]);
        await s3.PutBucketAsync(names[2]);
        (await s3.ListBucketsAsync()).Buckets.Select(b => b.BucketName).ShouldContain(names[2]);
    }
}
