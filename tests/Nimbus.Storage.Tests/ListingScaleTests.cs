using System.Globalization;
using Amazon.S3.Model;
using Nimbus.Storage.Engine;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Storage.Tests;

/// <summary>
/// Listing stays correct at a million keys: while the server is stopped its index gets a million copies of one real
/// object's row (a million PUTs would take the suite minutes), then the restarted server lists them through AWSSDK.S3.
/// </summary>
public sealed class ListingScaleTests
{
    private const int Prefixes = 1000;
    private const int KeysPerPrefix = 1000;

    [Fact]
    public async Task A_million_keys_list_in_order_with_prefixes_delimiters_and_start_after()
    {
        using var directory = new TempDirectory("nimbus-listing");
        var bucket = StorageServer.NewBucketName();
        await using (var first = await NimbusServer.StartAsync(dataDirectory: directory.Path))
        {
            using var s3 = StorageServer.CreateClient(first);
            await s3.PutBucketAsync(bucket);
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = Key(0), ContentBody = "" });
        }

        Fill(Path.Combine(directory.Path, "storage", "index.db"));

        await using var server = await NimbusServer.StartAsync(dataDirectory: directory.Path);
        using var client = StorageServer.CreateClient(server);

        // Every key once, in byte order, across a thousand pages of a thousand.
        var seen = 0;
        string? token = null;
        do
        {
            var page = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, ContinuationToken = token });
            foreach (var item in page.S3Objects)
            {
                item.Key.ShouldBe(Key(seen));
                seen++;
            }

            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);
        seen.ShouldBe(Prefixes * KeysPerPrefix);

        // With a delimiter the million keys roll up into their thousand prefixes, paged 300 at a time.
        var prefixes = new List<string>();
        token = null;
        do
        {
            var page = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Delimiter = "/", MaxKeys = 300, ContinuationToken = token });
            (page.S3Objects ?? []).ShouldBeEmpty();
            prefixes.AddRange(page.CommonPrefixes);
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);
        prefixes.ShouldBe(Enumerable.Range(0, Prefixes).Select(p => Prefix(p) + "/"));

        // A prefix in the middle holds exactly its own keys; start-after lands on the next key.
        var middle = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = Prefix(500) + "/" });
        middle.S3Objects.Select(o => o.Key).ShouldBe(Enumerable.Range(500 * KeysPerPrefix, KeysPerPrefix).Select(Key));
        middle.IsTruncated.ShouldBe(false);
        var after = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, StartAfter = Key((777 * KeysPerPrefix) + 999), MaxKeys = 2 });
        after.S3Objects.Select(o => o.Key).ShouldBe([Key(778 * KeysPerPrefix), Key((778 * KeysPerPrefix) + 1)]);

        // ListObjects v1 with a marker inside a rolled-up prefix continues after that prefix.
        var v1 = await client.ListObjectsAsync(new ListObjectsRequest { BucketName = bucket, Delimiter = "/", Marker = Key((998 * KeysPerPrefix) + 5) });
        v1.CommonPrefixes.ShouldBe([Prefix(999) + "/"]);
    }

    private static string Prefix(int p) => "d" + p.ToString("D3", CultureInfo.InvariantCulture);

    private static string Key(int i) => Prefix(i / KeysPerPrefix) + "/k" + (i % KeysPerPrefix).ToString("D3", CultureInfo.InvariantCulture);

    /// <summary>
    /// Writes keys 1..N-1 into the index as copies of key 0's row (a real empty object, written by the server), in
    /// one statement; the bucket's usage is not booked (listing does not read it).
    /// </summary>
    private static void Fill(string indexPath)
    {
        using var connection = IndexSchema.Open(indexPath, write: true);
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO objects(bucket, key, version, latest, marker, size, etag, modified, meta, segments, parts, corrupt, checksum, part_checksums)
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $count - 1)
            SELECT t.bucket, CAST(printf('d%03d/k%03d', i / $per, i % $per) AS BLOB), t.version, 1, t.marker, t.size, t.etag, t.modified, t.meta, t.segments, t.parts, t.corrupt, t.checksum, t.part_checksums
            FROM n, objects t WHERE t.key = $template
            """;
        command.Parameters.AddWithValue("$count", Prefixes * KeysPerPrefix);
        command.Parameters.AddWithValue("$per", KeysPerPrefix);
        command.Parameters.AddWithValue("$template", System.Text.Encoding.UTF8.GetBytes(Key(0)));
        command.ExecuteNonQuery().ShouldBe((Prefixes * KeysPerPrefix) - 1);
    }
}
