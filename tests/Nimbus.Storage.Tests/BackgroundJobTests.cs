using System.Security.Cryptography;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Storage.Tests;

/// <summary>
/// The scrubber and the lifecycle pass run on their own: nothing calls them, the server's timers do (shortened here from
/// 24 hours and 1 hour). LifecycleTests and SecurityAndDurabilityTests call the same passes directly for their rules.
/// </summary>
public sealed class BackgroundJobTests
{
    [Fact]
    public async Task The_background_scrubber_finds_a_flipped_byte_and_reports_it_on_the_scrubber_api()
    {
        await using var server = await NimbusServer.StartAsync(o => o with { S3ScrubInterval = TimeSpan.FromMilliseconds(200) });
        using var s3 = StorageServer.CreateClient(server);
        using var api = server.SignedHttpClient();
        var bucket = StorageServer.NewBucketName();
        await s3.PutBucketAsync(bucket);
        // Large enough to live in a data file of its own (small objects are inline in the index).
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "rot", InputStream = new MemoryStream(RandomNumberGenerator.GetBytes(1024 * 1024)) });
        var clean = await Poll.UntilAsync(() => ScrubStatusAsync(api), s => s.Checked == 1, what: "a background scrub that checked the object");
        clean.Corrupt.ShouldBe(0);

        var file = Directory.EnumerateFiles(Path.Combine(server.DataDirectory, "storage", "data"), "*", SearchOption.AllDirectories).ShouldHaveSingleItem();
        await using (var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite))
        {
            stream.Position = 1000;
            var b = stream.ReadByte();
            stream.Position = 1000;
            stream.WriteByte((byte)(b ^ 0x01));
        }

        await Poll.UntilAsync(() => ScrubStatusAsync(api), s => s.Corrupt == 1, what: "a background scrub that found the flipped byte");
    }

    [Fact]
    public async Task The_background_lifecycle_pass_expires_objects_past_their_date_without_being_asked()
    {
        await using var server = await NimbusServer.StartAsync(o => o with { S3LifecycleInterval = TimeSpan.FromMilliseconds(200) });
        using var s3 = StorageServer.CreateClient(server);
        var bucket = StorageServer.NewBucketName();
        await s3.PutBucketAsync(bucket);
        foreach (var key in new[] { "old/a", "old/b", "keep/c" })
        {
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = key });
        }

        // A date rule whose date has passed (today's midnight UTC) makes every matching object due at once.
        await s3.PutLifecycleConfigurationAsync(new PutLifecycleConfigurationRequest
        {
            BucketName = bucket,
            Configuration = new LifecycleConfiguration
            {
                Rules =
                [
                    new LifecycleRule
                    {
                        Id = "old", Status = LifecycleRuleStatus.Enabled, Filter = new LifecycleFilter { Prefix = "old/" },
                        Expiration = new LifecycleRuleExpiration { Date = DateTime.UtcNow.Date },
                    },
                ],
            },
        });

        var left = await Poll.UntilAsync(
            async () => (await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).S3Objects?.Select(o => o.Key).ToList() ?? [],
            keys => keys.Count < 3, what: "the background lifecycle pass");
        left.ShouldBe(["keep/c"]);
    }

    private static async Task<(long Checked, long Corrupt)> ScrubStatusAsync(HttpClient api)
    {
        using var status = JsonDocument.Parse(await api.GetStringAsync("/v1/storage/scrubber"));
        return (status.RootElement.GetProperty("objectsChecked").GetInt64(), status.RootElement.GetProperty("corruptObjects").GetInt64());
    }
}
