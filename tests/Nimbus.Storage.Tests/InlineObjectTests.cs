using System.Net;
using System.Security.Cryptography;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Storage.Tests;

/// <summary>
/// Objects up to 32 KiB live in their index row instead of a data file (one group-committed WAL fsync per PUT
/// batch): the same bytes come back, copies, overwrites and deletes behave as for files, and rot in the row is
/// caught by the block checksum, never served.
/// </summary>
public sealed class InlineObjectTests
{
    private const int InlineLimit = 32 * 1024;

    [Fact]
    public async Task Small_objects_need_no_data_file_and_read_back_exactly()
    {
        await using var server = await NimbusServer.StartAsync();
        using var s3 = StorageServer.CreateClient(server);
        var bucket = StorageServer.NewBucketName();
        await s3.PutBucketAsync(bucket);
        var small = RandomNumberGenerator.GetBytes(4096);
        var edge = RandomNumberGenerator.GetBytes(InlineLimit);
        var over = RandomNumberGenerator.GetBytes(InlineLimit + 1);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "small", InputStream = new MemoryStream(small) });
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "edge", InputStream = new MemoryStream(edge) });
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "empty", InputStream = new MemoryStream() });
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "over", InputStream = new MemoryStream(over) });
        await s3.CopyObjectAsync(bucket, "small", bucket, "small-copy");

        DataFiles(server).Count.ShouldBe(1);
        (await ReadAsync(s3, bucket, "small")).ShouldBe(small);
        (await ReadAsync(s3, bucket, "small-copy")).ShouldBe(small);
        (await ReadAsync(s3, bucket, "edge")).ShouldBe(edge);
        (await ReadAsync(s3, bucket, "empty")).ShouldBeEmpty();
        (await ReadAsync(s3, bucket, "over")).ShouldBe(over);
        (await ReadAsync(s3, bucket, "small", new ByteRange(100, 199))).ShouldBe(small[100..200]);
        var head = await s3.GetObjectMetadataAsync(bucket, "small");
        head.ETag.ShouldBe("\"" + Convert.ToHexStringLower(MD5.HashData(small)) + "\"");
        head.ContentLength.ShouldBe(4096);

        // A small object replacing a large one drops the data file; a large one replacing a small one gets one.
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "over", InputStream = new MemoryStream(small) });
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "edge", InputStream = new MemoryStream(over) });
        (await ReadAsync(s3, bucket, "over")).ShouldBe(small);
        (await ReadAsync(s3, bucket, "edge")).ShouldBe(over);
        await s3.DeleteObjectAsync(bucket, "small");
        (await Should.ThrowAsync<AmazonS3Exception>(() => s3.GetObjectAsync(bucket, "small"))).ErrorCode.ShouldBe("NoSuchKey");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DataFiles(server).Count != 1 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        DataFiles(server).Count.ShouldBe(1);
        var usage = server.Host.Services.GetRequiredService<StorageRuntime>();
        var scrub = await usage.ScrubAsync(CancellationToken.None);
        (scrub.ObjectsChecked, scrub.CorruptObjects).ShouldBe((4L, 0L));
    }

    [Fact]
    public async Task A_flipped_byte_in_an_inline_object_is_refused_on_get_and_found_by_the_scrubber()
    {
        using var directory = new TempDirectory("nimbus-storage");
        var body = Encoding.UTF8.GetBytes(new string('a', 3000) + "the end");
        var bucket = StorageServer.NewBucketName();
        await using (var first = await NimbusServer.StartAsync(dataDirectory: directory.Path))
        {
            using var s3 = StorageServer.CreateClient(first);
            await s3.PutBucketAsync(bucket);
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "keep", InputStream = new MemoryStream(body) });
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "rot", InputStream = new MemoryStream(body) });
        }

        // Bitrot inside the index row: the last byte of the stored bytes (the end of the segments blob).
        var index = Path.Combine(directory.Path, "storage", "index.db");
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = index, Pooling = false }.ToString()))
        {
            connection.Open();
            using var read = connection.CreateCommand();
            read.CommandText = "SELECT segments FROM objects WHERE key = $k";
            read.Parameters.AddWithValue("$k", Encoding.UTF8.GetBytes("rot"));
            var segments = (byte[])read.ExecuteScalar()!;
            segments[^1] ^= 0x01;
            using var write = connection.CreateCommand();
            write.CommandText = "UPDATE objects SET segments = $s WHERE key = $k";
            write.Parameters.AddWithValue("$s", segments);
            write.Parameters.AddWithValue("$k", Encoding.UTF8.GetBytes("rot"));
            write.ExecuteNonQuery().ShouldBe(1);
        }

        await using var second = await NimbusServer.StartAsync(dataDirectory: directory.Path);
        using var again = StorageServer.CreateClient(second);
        (await ReadAsync(again, bucket, "keep")).ShouldBe(body);
        var refused = await Should.ThrowAsync<AmazonS3Exception>(() => ReadAsync(again, bucket, "rot"));
        (refused.StatusCode, refused.ErrorCode).ShouldBe((HttpStatusCode.Forbidden, "InvalidObjectState"));
        var copy = await Should.ThrowAsync<AmazonS3Exception>(() => again.CopyObjectAsync(bucket, "rot", bucket, "rot-copy"));
        (copy.StatusCode, copy.ErrorCode).ShouldBe((HttpStatusCode.Forbidden, "InvalidObjectState"));

        var scrub = await second.Host.Services.GetRequiredService<StorageRuntime>().ScrubAsync(CancellationToken.None);
        (scrub.ObjectsChecked, scrub.CorruptObjects).ShouldBe((2L, 1L));
    }

    private static List<string> DataFiles(NimbusServer server) =>
        [.. Directory.EnumerateFiles(Path.Combine(server.DataDirectory, "storage", "data"), "*", SearchOption.AllDirectories)];

    private static async Task<byte[]> ReadAsync(IAmazonS3 s3, string bucket, string key, ByteRange? range = null)
    {
        using var get = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = key, ByteRange = range });
        using var copy = new MemoryStream();
        await get.ResponseStream.CopyToAsync(copy);
        return copy.ToArray();
    }
}
