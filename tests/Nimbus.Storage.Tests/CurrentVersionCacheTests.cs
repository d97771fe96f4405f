using System.Security.Cryptography;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;
using Nimbus.Storage.Engine;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Storage.Tests;

/// <summary>
/// The cache of current versions in front of the index: it saves repeated lookups and never serves a record older
/// than the last commit, including one read while a commit ran.
/// </summary>
public sealed class CurrentVersionCacheTests
{
    private static readonly byte[] Key = Encoding.UTF8.GetBytes("photos/cat.jpg");

    [Fact]
    public void A_repeated_read_is_served_without_the_index()
    {
        var cache = new CurrentVersionCache();
        var loads = 0;
        ObjectRecord? Load(string bucket, byte[] key)
        {
            loads++;
            return Record("\"v1\"");
        }

        cache.Get("b-1", Key, Load)!.ETag.ShouldBe("\"v1\"");
        cache.Get("b-1", Key, Load)!.ETag.ShouldBe("\"v1\"");
        cache.Get("b-1", Encoding.UTF8.GetBytes("photos/cat.jpg"), Load)!.ETag.ShouldBe("\"v1\"");
        loads.ShouldBe(1);
        cache.Get("b-2", Key, Load);
        loads.ShouldBe(2);
    }

    [Fact]
    public void Any_commit_drops_what_was_read_before_it()
    {
        var cache = new CurrentVersionCache();
        var stored = "\"v1\"";
        ObjectRecord? Load(string bucket, byte[] key) => Record(stored);

        cache.Get("b-1", Key, Load)!.ETag.ShouldBe("\"v1\"");
        cache.BeginWrite();
        stored = "\"v2\"";
        cache.Get("b-1", Key, Load)!.ETag.ShouldBe("\"v2\"");
        cache.EndWrite();
        cache.Get("b-1", Key, Load)!.ETag.ShouldBe("\"v2\"");
    }

    [Fact]
    public void A_read_that_overlapped_a_commit_is_not_kept()
    {
        var cache = new CurrentVersionCache();
        var stored = "\"v1\"";
        var loads = 0;
        ObjectRecord? Racing(string bucket, byte[] key)
        {
            // The index answered with the old record; a commit of a new one runs before the read returns.
            loads++;
            var old = Record(stored);
            cache.BeginWrite();
            stored = "\"v2\"";
            cache.EndWrite();
            return old;
        }

        ObjectRecord? Load(string bucket, byte[] key)
        {
            loads++;
            return Record(stored);
        }

        cache.Get("b-1", Key, Racing)!.ETag.ShouldBe("\"v1\"");
        cache.Get("b-1", Key, Load)!.ETag.ShouldBe("\"v2\"");
        loads.ShouldBe(2);
    }

    [Fact]
    public void Absent_keys_are_not_cached()
    {
        var cache = new CurrentVersionCache();
        var loads = 0;
        ObjectRecord? Load(string bucket, byte[] key)
        {
            loads++;
            return null;
        }

        cache.Get("b-1", Key, Load).ShouldBeNull();
        cache.Get("b-1", Key, Load).ShouldBeNull();
        loads.ShouldBe(2);
    }

    [Fact]
    public void The_cache_stays_bounded()
    {
        var cache = new CurrentVersionCache();
        var loads = 0;
        ObjectRecord? Load(string bucket, byte[] key)
        {
            loads++;
            return Record("\"v1\"");
        }

        for (var i = 0; i <= CurrentVersionCache.MaxEntries; i++)
        {
            cache.Get("b-1", BitConverter.GetBytes(i), Load);
        }

        // The store past the limit cleared the others: the first key is read from the index again.
        cache.Get("b-1", BitConverter.GetBytes(0), Load);
        loads.ShouldBe(CurrentVersionCache.MaxEntries + 2);
    }

    [Fact]
    public async Task Gets_between_overwrites_and_deletes_see_each_new_version()
    {
        await using var server = await NimbusServer.StartAsync();
        using var s3 = StorageServer.CreateClient(server);
        var bucket = StorageServer.NewBucketName();
        await s3.PutBucketAsync(bucket);
        for (var round = 0; round < 5; round++)
        {
            var small = RandomNumberGenerator.GetBytes(4096 + round);
            var large = RandomNumberGenerator.GetBytes((1024 * 1024) + 17 + round);
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "small", InputStream = new MemoryStream(small) });
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "large", InputStream = new MemoryStream(large) });
            for (var read = 0; read < 3; read++)
            {
                (await ReadAsync(s3, bucket, "small")).ShouldBe(small);
                (await ReadAsync(s3, bucket, "large")).ShouldBe(large);
            }
        }

        await s3.DeleteObjectAsync(bucket, "small");
        var gone = await Should.ThrowAsync<AmazonS3Exception>(() => ReadAsync(s3, bucket, "small"));
        gone.ErrorCode.ShouldBe("NoSuchKey");
    }

    private static ObjectRecord Record(string etag) => new()
    {
        Bucket = "b-1",
        Key = Key,
        Size = 0,
        ETag = etag,
        LastModified = DateTimeOffset.UnixEpoch,
        Meta = ObjectMeta.Empty,
        Segments = [],
        VersionId = ObjectRecord.NullVersion,
    };

    private static async Task<byte[]> ReadAsync(IAmazonS3 s3, string bucket, string key)
    {
        using var get = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = key });
        using var copy = new MemoryStream();
        await get.ResponseStream.CopyToAsync(copy);
        return copy.ToArray();
    }
}
