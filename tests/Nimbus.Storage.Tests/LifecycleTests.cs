using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.DependencyInjection;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Storage.Tests;

/// <summary>
/// Lifecycle rules, enforced by the background pass. The server's clock is moved forward for the pass and back
/// for the client requests that follow (they are signed with the real time), so no test waits for days.
/// </summary>
public sealed class LifecycleTests : IAsyncLifetime
{
    private readonly ShiftableTimeProvider _clock = new();
    private NimbusServer _server = null!;

    public async Task InitializeAsync() => _server = await NimbusServer.StartAsync(time: _clock);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Expiration_by_prefix_and_by_tag_deletes_only_what_is_due()
    {
        using var s3 = StorageServer.CreateClient(_server);
        var bucket = await NewBucketAsync(s3);
        foreach (var key in new[] { "logs/a", "logs/b", "data/keep" })
        {
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = key });
        }

        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "scratch", ContentBody = "t", TagSet = [new Tag { Key = "temp", Value = "yes" }] });
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "untagged", ContentBody = "u" });
        await s3.PutLifecycleConfigurationAsync(new PutLifecycleConfigurationRequest
        {
            BucketName = bucket,
            Configuration = new LifecycleConfiguration
            {
                Rules =
                [
                    new LifecycleRule { Id = "logs", Status = LifecycleRuleStatus.Enabled, Filter = new LifecycleFilter { Prefix = "logs/" }, Expiration = new LifecycleRuleExpiration { Days = 1 } },
                    new LifecycleRule { Id = "temp", Status = LifecycleRuleStatus.Enabled, Filter = new LifecycleFilter { Tag = new Tag { Key = "temp", Value = "yes" } }, Expiration = new LifecycleRuleExpiration { Days = 2 } },
                    new LifecycleRule { Id = "off", Status = LifecycleRuleStatus.Disabled, Filter = new LifecycleFilter { Prefix = "data/" }, Expiration = new LifecycleRuleExpiration { Days = 1 } },
                ],
            },
        });
        var stored = await s3.GetLifecycleConfigurationAsync(bucket);
        stored.Configuration.Rules.Select(r => r.Id).ShouldBe(["logs", "temp", "off"]);

        // Not yet due: nothing happens.
        (await RunLifecycleAsync(TimeSpan.Zero)).Expired.ShouldBe(0);
        var report = await RunLifecycleAsync(TimeSpan.FromDays(3));
        report.Expired.ShouldBe(3);
        (await KeysAsync(s3, bucket)).ShouldBe(["data/keep", "untagged"]);
    }

    [Fact]
    public async Task Noncurrent_versions_and_lone_delete_markers_expire_in_a_versioned_bucket()
    {
        using var s3 = StorageServer.CreateClient(_server);
        var bucket = await NewBucketAsync(s3);
        await s3.PutBucketVersioningAsync(new PutBucketVersioningRequest { BucketName = bucket, VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled } });
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "doc", ContentBody = "v1" });
        var current = await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "doc", ContentBody = "v2" });
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "gone", ContentBody = "g" });
        await s3.DeleteObjectAsync(bucket, "gone");
        await s3.PutLifecycleConfigurationAsync(new PutLifecycleConfigurationRequest
        {
            BucketName = bucket,
            Configuration = new LifecycleConfiguration
            {
                Rules =
                [
                    new LifecycleRule { Id = "old-versions", Status = LifecycleRuleStatus.Enabled, Filter = new LifecycleFilter { Prefix = "" }, NoncurrentVersionExpiration = new LifecycleRuleNoncurrentVersionExpiration { NoncurrentDays = 1 } },
                    new LifecycleRule { Id = "markers", Status = LifecycleRuleStatus.Enabled, Filter = new LifecycleFilter { Prefix = "" }, Expiration = new LifecycleRuleExpiration { ExpiredObjectDeleteMarker = true } },
                ],
            },
        });

        var report = await RunLifecycleAsync(TimeSpan.FromDays(3));
        report.Expired.ShouldBe(3);
        var versions = await s3.ListVersionsAsync(new ListVersionsRequest { BucketName = bucket });
        versions.Versions.Select(v => (v.Key, v.VersionId)).ShouldBe([("doc", current.VersionId)]);
    }

    [Fact]
    public async Task Current_versions_expire_behind_a_delete_marker_when_versioned()
    {
        using var s3 = StorageServer.CreateClient(_server);
        var bucket = await NewBucketAsync(s3);
        await s3.PutBucketVersioningAsync(new PutBucketVersioningRequest { BucketName = bucket, VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled } });
        var put = await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "report", ContentBody = "r" });
        await s3.PutLifecycleConfigurationAsync(new PutLifecycleConfigurationRequest
        {
            BucketName = bucket,
            Configuration = new LifecycleConfiguration { Rules = [new LifecycleRule { Id = "expire", Status = LifecycleRuleStatus.Enabled, Filter = new LifecycleFilter { Prefix = "" }, Expiration = new LifecycleRuleExpiration { Days = 1 } }] },
        });

        (await RunLifecycleAsync(TimeSpan.FromDays(3))).Expired.ShouldBe(1);
        (await Should.ThrowAsync<AmazonS3Exception>(() => s3.GetObjectAsync(bucket, "report"))).ErrorCode.ShouldBe("NoSuchKey");
        var versions = await s3.ListVersionsAsync(new ListVersionsRequest { BucketName = bucket });
        versions.Versions.Select(v => (v.IsDeleteMarker == true, v.IsLatest == true)).ShouldBe([(true, true), (false, false)]);
        versions.Versions[1].VersionId.ShouldBe(put.VersionId);
    }

    [Fact]
    public async Task Incomplete_multipart_uploads_are_aborted_after_their_days()
    {
        using var s3 = StorageServer.CreateClient(_server);
        var bucket = await NewBucketAsync(s3);
        var upload = await s3.InitiateMultipartUploadAsync(bucket, "big/file");
        await s3.UploadPartAsync(new UploadPartRequest { BucketName = bucket, Key = "big/file", UploadId = upload.UploadId, PartNumber = 1, InputStream = new MemoryStream(new byte[1000]) });
        await s3.PutLifecycleConfigurationAsync(new PutLifecycleConfigurationRequest
        {
            BucketName = bucket,
            Configuration = new LifecycleConfiguration { Rules = [new LifecycleRule { Id = "abort", Status = LifecycleRuleStatus.Enabled, Filter = new LifecycleFilter { Prefix = "big/" }, AbortIncompleteMultipartUpload = new LifecycleRuleAbortIncompleteMultipartUpload { DaysAfterInitiation = 2 } }] },
        });

        (await RunLifecycleAsync(TimeSpan.FromDays(1))).UploadsAborted.ShouldBe(0);
        (await RunLifecycleAsync(TimeSpan.FromDays(4))).UploadsAborted.ShouldBe(1);
        ((await s3.ListMultipartUploadsAsync(bucket)).MultipartUploads ?? []).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_rule_without_an_action_or_with_a_transition_is_refused()
    {
        using var s3 = StorageServer.CreateClient(_server);
        var bucket = await NewBucketAsync(s3);
        var transition = await Should.ThrowAsync<AmazonS3Exception>(() => s3.PutLifecycleConfigurationAsync(new PutLifecycleConfigurationRequest
        {
            BucketName = bucket,
            Configuration = new LifecycleConfiguration { Rules = [new LifecycleRule { Id = "cold", Status = LifecycleRuleStatus.Enabled, Filter = new LifecycleFilter { Prefix = "" }, Transitions = [new LifecycleTransition { Days = 30, StorageClass = S3StorageClass.Glacier }] }] },
        }));
        transition.ErrorCode.ShouldBe("InvalidRequest");
        // Nothing was stored (the SDK turns NoSuchLifecycleConfiguration into an empty configuration).
        ((await s3.GetLifecycleConfigurationAsync(bucket)).Configuration?.Rules ?? []).ShouldBeEmpty();
    }

    /// <summary>Runs one lifecycle pass as if <paramref name="later"/> had passed, then puts the clock back.</summary>
    private async Task<Lifecycle.LifecycleReport> RunLifecycleAsync(TimeSpan later)
    {
        _clock.Advance(later);
        try
        {
            return await _server.Host.Services.GetRequiredService<StorageRuntime>().RunLifecycleAsync(CancellationToken.None);
        }
        finally
        {
            _clock.Advance(-later);
        }
    }

    private static async Task<List<string>> KeysAsync(AmazonS3Client s3, string bucket) =>
        [.. (await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).S3Objects?.Select(o => o.Key) ?? []];

    private static async Task<string> NewBucketAsync(AmazonS3Client s3)
    {
        var bucket = StorageServer.NewBucketName();
        await s3.PutBucketAsync(bucket);
        return bucket;
    }
}
