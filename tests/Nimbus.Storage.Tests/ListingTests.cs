using Amazon.S3;
using Amazon.S3.Model;
using Shouldly;
using Xunit;

namespace Nimbus.Storage.Tests;

public sealed class ListingTests(StorageServer fixture) : IClassFixture<StorageServer>
{
    private static readonly string[] Keys =
    [
        "a", "a/", "a/1", "a/2", "a/b/3", "a+b", "a b", "a%b", "a.txt", "b/1", "b/2", "c", "z/ü", "z/日本", "z/z/z",
    ];

    [Fact]
    public async Task V2_lists_in_byte_order_with_prefixes_and_pages_across_them()
    {
        using var s3 = fixture.Client();
        var bucket = await FillAsync(s3);
        var all = new List<string>();
        var prefixes = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Delimiter = "/", MaxKeys = 2, ContinuationToken = token });
            (page.S3Objects?.Count ?? 0).ShouldBeLessThanOrEqualTo(2);
            all.AddRange((page.S3Objects ?? []).Select(o => o.Key));
            prefixes.AddRange(page.CommonPrefixes ?? []);
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
            pages++;
        }
        while (token is not null);

        all.ShouldBe(["a", "a b", "a%b", "a+b", "a.txt", "c"]);
        prefixes.ShouldBe(["a/", "b/", "z/"]);
        pages.ShouldBe(5);
    }

    [Fact]
    public async Task Empty_query_values_as_awscli_sends_them_are_accepted()
    {
        using var s3 = fixture.Client();
        var bucket = StorageServer.NewBucketName();
        await s3.PutBucketAsync(bucket);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "dir/a", ContentBody = "a" });
        using var http = new HttpClient(new Nimbus.Testing.SigningHandler(fixture.Server.AdminCredentials, "local", "s3"));
        using var response = await http.GetAsync(new Uri(fixture.Server.S3Endpoint, $"/{bucket}?list-type=2&prefix=&delimiter=%2F&encoding-type=url"));
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        (await response.Content.ReadAsStringAsync()).ShouldContain("<CommonPrefixes><Prefix>dir/</Prefix></CommonPrefixes>");
    }

    [Fact]
    public async Task V2_without_delimiter_returns_every_key_in_utf8_byte_order()
    {
        using var s3 = fixture.Client();
        var bucket = await FillAsync(s3);
        var page = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
        page.S3Objects.Select(o => o.Key).ShouldBe(Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray());
        page.KeyCount.ShouldBe(Keys.Length);
    }

    [Fact]
    public async Task V2_prefix_start_after_and_fetch_owner()
    {
        using var s3 = fixture.Client();
        var bucket = await FillAsync(s3);
        var page = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = "a/", StartAfter = "a/1", FetchOwner = true });
        page.S3Objects.Select(o => o.Key).ShouldBe(["a/2", "a/b/3"]);
        page.S3Objects[0].Owner.Id.ShouldBe(fixture.Server.Admin.Account);

        var nested = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = "a/", Delimiter = "/" });
        nested.S3Objects.Select(o => o.Key).ShouldBe(["a/", "a/1", "a/2"]);
        nested.CommonPrefixes.ShouldBe(["a/b/"]);
    }

    [Fact]
    public async Task V2_with_url_encoding_returns_decodable_keys()
    {
        using var s3 = fixture.Client();
        var bucket = await FillAsync(s3);
        var page = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = "z/", Encoding = EncodingType.Url });
        page.S3Objects.Select(o => o.Key).ShouldBe(["z/z/z", "z/%C3%BC", "z/%E6%97%A5%E6%9C%AC"]);
        page.S3Objects.Select(o => Uri.UnescapeDataString(o.Key)).ShouldBe(["z/z/z", "z/ü", "z/日本"]);
    }

    [Fact]
    public async Task V1_pages_with_marker_and_next_marker_over_common_prefixes()
    {
        using var s3 = fixture.Client();
        var bucket = await FillAsync(s3);
        var keys = new List<string>();
        var prefixes = new List<string>();
        string? marker = null;
        do
        {
            var page = await s3.ListObjectsAsync(new ListObjectsRequest { BucketName = bucket, Delimiter = "/", MaxKeys = 3, Marker = marker });
            keys.AddRange((page.S3Objects ?? []).Select(o => o.Key));
            prefixes.AddRange(page.CommonPrefixes ?? []);
            marker = page.IsTruncated == true ? page.NextMarker : null;
        }
        while (marker is not null);

        keys.ShouldBe(["a", "a b", "a%b", "a+b", "a.txt", "c"]);
        prefixes.ShouldBe(["a/", "b/", "z/"]);
    }

    [Fact]
    public async Task Paging_through_many_keys_returns_each_once()
    {
        using var s3 = fixture.Client();
        var bucket = StorageServer.NewBucketName();
        await s3.PutBucketAsync(bucket);
        var expected = Enumerable.Range(0, 230).Select(i => $"p{i % 7}/k{i:D4}").Order(StringComparer.Ordinal).ToList();
        await Parallel.ForEachAsync(expected, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (key, ct) =>
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = key }, ct));

        var seen = new List<string>();
        string? token = null;
        do
        {
            var page = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, MaxKeys = 50, ContinuationToken = token });
            seen.AddRange(page.S3Objects.Select(o => o.Key));
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);

        seen.ShouldBe(expected);
    }

    private static async Task<string> FillAsync(AmazonS3Client s3)
    {
        var bucket = StorageServer.NewBucketName();
        await s3.PutBucketAsync(bucket);
        foreach (var key in Keys)
        {
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = key });
        }

        return bucket;
    }
}
