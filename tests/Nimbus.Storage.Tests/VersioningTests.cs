using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Shouldly;
using Xunit;

namespace Nimbus.Storage.Tests;

public sealed class VersioningTests(StorageServer fixture) : IClassFixture<StorageServer>
{
    [Fact]
    public async Task Enabled_versioning_keeps_every_version_and_deletes_with_markers()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k", ContentBody = "before versioning" });
        await EnableAsync(s3, bucket, VersionStatus.Enabled);
        (await s3.GetBucketVersioningAsync(new GetBucketVersioningRequest { BucketName = bucket })).VersioningConfig.Status.ShouldBe(VersionStatus.Enabled);

        var v1 = await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k", ContentBody = "one" });
        var v2 = await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k", ContentBody = "two" });
        v1.VersionId.ShouldNotBeNullOrEmpty();
        v2.VersionId.ShouldNotBe(v1.VersionId);

        (await ReadAsync(s3, bucket, "k", null)).ShouldBe("two");
        (await ReadAsync(s3, bucket, "k", v1.VersionId)).ShouldBe("one");
        (await ReadAsync(s3, bucket, "k", "null")).ShouldBe("before versioning");

        var deleted = await s3.DeleteObjectAsync(bucket, "k");
        deleted.DeleteMarker.ShouldBe("true");
        var marker = deleted.VersionId;
        var gone = await Should.ThrowAsync<AmazonS3Exception>(() => s3.GetObjectAsync(bucket, "k"));
        gone.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        gone.ErrorCode.ShouldBe("NoSuchKey");
        var onMarker = await Should.ThrowAsync<AmazonS3Exception>(() => s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "k", VersionId = marker }));
        onMarker.StatusCode.ShouldBe(HttpStatusCode.MethodNotAllowed);
        (await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).KeyCount.ShouldBe(0);

        var versions = await s3.ListVersionsAsync(new ListVersionsRequest { BucketName = bucket });
        versions.Versions.Select(v => (v.VersionId, v.IsLatest == true, v.IsDeleteMarker == true)).ShouldBe(
            [(marker, true, true), (v2.VersionId, false, false), (v1.VersionId, false, false), ("null", false, false)]);

        // Removing the marker by its version id brings the newest version back.
        await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = "k", VersionId = marker });
        (await ReadAsync(s3, bucket, "k", null)).ShouldBe("two");

        // Removing a version for good; the bucket cannot be deleted while versions remain.
        await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = "k", VersionId = v1.VersionId });
        (await Should.ThrowAsync<AmazonS3Exception>(() => s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "k", VersionId = v1.VersionId }))).ErrorCode.ShouldBe("NoSuchVersion");
        (await Should.ThrowAsync<AmazonS3Exception>(() => s3.DeleteBucketAsync(bucket))).ErrorCode.ShouldBe("BucketNotEmpty");
    }

    [Fact]
    public async Task Suspended_versioning_writes_and_deletes_the_null_version_only()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        await EnableAsync(s3, bucket, VersionStatus.Enabled);
        var kept = await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k", ContentBody = "kept" });
        await EnableAsync(s3, bucket, VersionStatus.Suspended);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k", ContentBody = "null one" });
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k", ContentBody = "null two" });
        (await ReadAsync(s3, bucket, "k", null)).ShouldBe("null two");

        var versions = await s3.ListVersionsAsync(new ListVersionsRequest { BucketName = bucket });
        versions.Versions.Select(v => v.VersionId).ShouldBe(["null", kept.VersionId]);

        var deleted = await s3.DeleteObjectAsync(bucket, "k");
        deleted.DeleteMarker.ShouldBe("true");
        deleted.VersionId.ShouldBe("null");
        versions = await s3.ListVersionsAsync(new ListVersionsRequest { BucketName = bucket });
        versions.Versions.Select(v => (v.VersionId, v.IsDeleteMarker == true)).ShouldBe([("null", true), (kept.VersionId, false)]);
    }

    [Fact]
    public async Task ListObjectVersions_pages_with_key_and_version_markers_and_rolls_up_prefixes()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        await EnableAsync(s3, bucket, VersionStatus.Enabled);
        var expected = new List<(string Key, string Version)>();
        foreach (var key in new[] { "a", "b", "dir/x", "dir/y", "c" })
        {
            var first = await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = key + "1" });
            var second = await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = key + "2" });
            expected.Add((key, second.VersionId));
            expected.Add((key, first.VersionId));
        }

        var ordered = expected.OrderBy(e => e.Key, StringComparer.Ordinal).ToList();
        var seen = new List<(string, string)>();
        var request = new ListVersionsRequest { BucketName = bucket, MaxKeys = 3 };
        while (true)
        {
            var page = await s3.ListVersionsAsync(request);
            seen.AddRange(page.Versions.Select(v => (v.Key, v.VersionId)));
            if (page.IsTruncated != true)
            {
                break;
            }

            page.Versions.Count.ShouldBe(3);
            request.KeyMarker = page.NextKeyMarker;
            request.VersionIdMarker = page.NextVersionIdMarker;
        }

        seen.ShouldBe(ordered);

        var rolled = await s3.ListVersionsAsync(new ListVersionsRequest { BucketName = bucket, Delimiter = "/" });
        rolled.CommonPrefixes.ShouldBe(["dir/"]);
        rolled.Versions.Select(v => v.Key).Distinct().ShouldBe(["a", "b", "c"]);
    }

    [Fact]
    public async Task DeleteObjects_removes_versions_and_creates_markers()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        await EnableAsync(s3, bucket, VersionStatus.Enabled);
        var one = await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "one", ContentBody = "1" });
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "two", ContentBody = "2" });
        var result = await s3.DeleteObjectsAsync(new DeleteObjectsRequest
        {
            BucketName = bucket,
            Objects = [new KeyVersion { Key = "one", VersionId = one.VersionId }, new KeyVersion { Key = "two" }],
        });
        var byKey = result.DeletedObjects.ToDictionary(d => d.Key);
        byKey["one"].VersionId.ShouldBe(one.VersionId);
        byKey["two"].DeleteMarker.ShouldBe(true);
        byKey["two"].DeleteMarkerVersionId.ShouldNotBeNullOrEmpty();
        (await s3.ListVersionsAsync(new ListVersionsRequest { BucketName = bucket })).Versions.Select(v => (v.Key, v.IsDeleteMarker == true)).ShouldBe([("two", true), ("two", false)]);
    }

    [Fact]
    public async Task A_version_can_be_copied_and_tagged_by_its_id()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        await EnableAsync(s3, bucket, VersionStatus.Enabled);
        var old = await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "src", ContentBody = "old" });
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "src", ContentBody = "new" });
        await s3.CopyObjectAsync(new CopyObjectRequest { SourceBucket = bucket, SourceKey = "src", SourceVersionId = old.VersionId, DestinationBucket = bucket, DestinationKey = "restored" });
        (await ReadAsync(s3, bucket, "restored", null)).ShouldBe("old");

        await s3.PutObjectTaggingAsync(new PutObjectTaggingRequest { BucketName = bucket, Key = "src", VersionId = old.VersionId, Tagging = new Tagging { TagSet = [new Tag { Key = "state", Value = "old" }] } });
        (await s3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = "src", VersionId = old.VersionId })).Tagging.Single().Value.ShouldBe("old");
        ((await s3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = "src" })).Tagging ?? []).ShouldBeEmpty();
    }

    private static Task EnableAsync(AmazonS3Client s3, string bucket, VersionStatus status) =>
        s3.PutBucketVersioningAsync(new PutBucketVersioningRequest { BucketName = bucket, VersioningConfig = new S3BucketVersioningConfig { Status = status } });

    private static async Task<string> ReadAsync(AmazonS3Client s3, string bucket, string key, string? version)
    {
        using var get = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = key, VersionId = version });
        if (version is not null)
        {
            get.VersionId.ShouldBe(version);
        }

        return await new StreamReader(get.ResponseStream).ReadToEndAsync();
    }

    private static async Task<string> NewBucketAsync(AmazonS3Client s3)
    {
        var bucket = StorageServer.NewBucketName();
        await s3.PutBucketAsync(bucket);
        return bucket;
    }
}
