using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Shouldly;
using Xunit;

namespace Nimbus.Storage.Tests;

public sealed class BucketTests(StorageServer fixture) : IClassFixture<StorageServer>
{
    [Fact]
    public async Task Created_bucket_is_listed_headed_located_and_deleted_when_empty()
    {
        using var s3 = fixture.Client();
        var bucket = StorageServer.NewBucketName();
        await s3.PutBucketAsync(new PutBucketRequest { BucketName = bucket, BucketRegionName = "local" });

        var list = await s3.ListBucketsAsync();
        list.Buckets.ShouldContain(b => b.BucketName == bucket);
        (await s3.GetBucketLocationAsync(bucket)).Location.Value.ShouldBe("local");
        (await s3.HeadBucketAsync(new HeadBucketRequest { BucketName = bucket })).HttpStatusCode.ShouldBe(HttpStatusCode.OK);

        await s3.DeleteBucketAsync(bucket);
        var missing = await Should.ThrowAsync<AmazonS3Exception>(() => s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket }));
        missing.ErrorCode.ShouldBe("NoSuchBucket");
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Deleting_a_bucket_with_objects_fails_with_BucketNotEmpty()
    {
        using var s3 = fixture.Client();
        var bucket = StorageServer.NewBucketName();
        await s3.PutBucketAsync(bucket);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k", ContentBody = "x" });

        var error = await Should.ThrowAsync<AmazonS3Exception>(() => s3.DeleteBucketAsync(bucket));
        error.ErrorCode.ShouldBe("BucketNotEmpty");
        error.StatusCode.ShouldBe(HttpStatusCode.Conflict);

        await s3.DeleteObjectAsync(bucket, "k");
        await s3.DeleteBucketAsync(bucket);
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("Upper-Case")]
    [InlineData("192.168.1.1")]
    [InlineData("double..dot")]
    [InlineData("-leading-dash")]
    public async Task Invalid_bucket_names_are_refused(string name)
    {
        using var s3 = fixture.Client();
        var error = await Should.ThrowAsync<AmazonS3Exception>(() => s3.PutBucketAsync(name));
        error.ErrorCode.ShouldBe("InvalidBucketName");
        error.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Creating_an_existing_bucket_again_says_who_owns_it()
    {
        using var s3 = fixture.Client();
        var bucket = StorageServer.NewBucketName();
        await s3.PutBucketAsync(bucket);
        var again = await Should.ThrowAsync<AmazonS3Exception>(() => s3.PutBucketAsync(bucket));
        again.ErrorCode.ShouldBe("BucketAlreadyOwnedByYou");
        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task A_location_constraint_other_than_the_region_is_refused()
    {
        using var s3 = fixture.Client();
        var error = await Should.ThrowAsync<AmazonS3Exception>(() => s3.PutBucketAsync(new PutBucketRequest { BucketName = StorageServer.NewBucketName(), BucketRegionName = "eu-west-1" }));
        error.ErrorCode.ShouldBe("InvalidLocationConstraint");
    }

    [Fact]
    public async Task Virtual_host_style_addresses_the_bucket_by_host_name()
    {
        using var pathStyle = fixture.Client();
        var bucket = StorageServer.NewBucketName();
        await pathStyle.PutBucketAsync(bucket);

        var endpoint = new UriBuilder(fixture.Server.S3Endpoint) { Host = "s3.localhost" }.Uri;
        using var virtualHost = new AmazonS3Client(
            new Amazon.Runtime.BasicAWSCredentials(fixture.Server.Admin.AccessKeyId, fixture.Server.Admin.SecretAccessKey),
            new AmazonS3Config { ServiceURL = endpoint.ToString(), ForcePathStyle = false, AuthenticationRegion = "local", HttpClientFactory = new LoopbackHttpClientFactory(), RequestChecksumCalculation = Amazon.Runtime.RequestChecksumCalculation.WHEN_REQUIRED });
        await virtualHost.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "dir/v host.txt", ContentBody = "by host" });

        using var get = await pathStyle.GetObjectAsync(bucket, "dir/v host.txt");
        (await new StreamReader(get.ResponseStream).ReadToEndAsync()).ShouldBe("by host");
        var listed = await virtualHost.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
        listed.S3Objects.Select(o => o.Key).ShouldBe(["dir/v host.txt"]);
    }
}
