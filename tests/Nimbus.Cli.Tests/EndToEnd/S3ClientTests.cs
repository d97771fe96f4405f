using System.Net;
using System.Security.Cryptography;
using Nimbus.Cli.Tests.EndToEnd.Support;
using Nimbus.Contracts.Storage;
using Nimbus.Sdk;
using Nimbus.Sdk.S3;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Cli.Tests.EndToEnd;

/// <summary>The SDK's S3 client against a real server: keys byte for byte, paging, batches, multipart, errors.</summary>
public sealed class S3ClientTests : IAsyncLifetime
{
    private NimbusServer _server = null!;
    private S3Client _s3 = null!;

    public async Task InitializeAsync()
    {
        _server = await NimbusServer.StartAsync();
        _s3 = ClientFactory.S3(_server);
    }

    public async Task DisposeAsync()
    {
        _s3.Dispose();
        await _server.DisposeAsync();
    }

    private async Task<string> BucketAsync()
    {
        var name = "b-" + Guid.NewGuid().ToString("N")[..16];
        using var client = new NimbusClient(new NimbusClientOptions { Endpoint = _server.Endpoint, Credentials = _server.AdminCredentials });
        await client.Storage.Buckets.CreateAsync(new CreateBucketRequest { Name = name });
        return name;
    }

    [Theory]
    [InlineData(S3PayloadSigning.Signed)]
    [InlineData(S3PayloadSigning.Unsigned)]
    public async Task Tricky_keys_are_stored_listed_and_read_back_exactly(S3PayloadSigning signing)
    {
        var bucket = await BucketAsync();
        using var s3 = ClientFactory.S3(_server, signing);
        string[] keys = ["a b", "a+b", "100%", "%2F", "ü/ñ/日本", "../up", "/lead", "a/./b", "a//b", "a/../b", "x?y=z&w", "tab\there", "~tilde*star", "#hash"];
        foreach (var key in keys)
        {
            var etag = await s3.PutObjectAsync(bucket, key, System.Text.Encoding.UTF8.GetBytes("value of " + key), new S3PutOptions { ContentType = "text/plain", Metadata = new Dictionary<string, string> { ["origin"] = "test" } });
            etag.ShouldBe("\"" + Convert.ToHexStringLower(MD5.HashData(System.Text.Encoding.UTF8.GetBytes("value of " + key))) + "\"", key);
        }

        var listed = new List<string>();
        await foreach (var item in s3.ListAllObjectsAsync(bucket))
        {
            listed.Add(item.Key);
        }

        listed.ShouldBe(keys.OrderBy(k => k, StringComparer.Ordinal).ToList());
        foreach (var key in keys)
        {
            using var body = new MemoryStream();
            var info = await s3.GetObjectAsync(bucket, key, body);
            System.Text.Encoding.UTF8.GetString(body.ToArray()).ShouldBe("value of " + key, key);
            info.ContentType.ShouldBe("text/plain");
            info.Metadata.ShouldBe(new Dictionary<string, string> { ["origin"] = "test" });

            // A presigned URL keeps the key's path exactly too ("a/../b" is not "b").
            using var anonymous = new HttpClient();
            (await anonymous.GetStringAsync(s3.Presign(HttpMethod.Get, bucket, key, TimeSpan.FromMinutes(5)))).ShouldBe("value of " + key, key);
        }

        var deleted = await s3.DeleteObjectsAsync(bucket, keys);
        deleted.Errors.ShouldBeEmpty();
        deleted.Deleted.Order(StringComparer.Ordinal).ShouldBe(keys.Order(StringComparer.Ordinal));
        (await s3.ListObjectsAsync(bucket)).Objects.ShouldBeEmpty();
    }

    [Fact]
    public async Task Listing_pages_through_keys_and_rolls_up_prefixes()
    {
        var bucket = await BucketAsync();
        var keys = Enumerable.Range(0, 25).Select(i => $"logs/{i % 3}/entry-{i:D3}").Append("top.txt").ToList();
        foreach (var key in keys)
        {
            await _s3.PutObjectAsync(bucket, key, new byte[] { 1 });
        }

        var pages = 0;
        var seen = new List<string>();
        var request = new S3ListRequest { MaxKeys = 10 };
        do
        {
            var page = await _s3.ListObjectsAsync(bucket, request);
            pages++;
            seen.AddRange(page.Objects.Select(o => o.Key));
            request = request with { ContinuationToken = page.NextContinuationToken };
        }
        while (request.ContinuationToken is not null);
        pages.ShouldBe(3);
        seen.ShouldBe(keys.Order(StringComparer.Ordinal).ToList());

        // awscli sends "prefix=" when listing a bucket's top level; an empty query value once made the server answer 500.
        var top = await _s3.ListObjectsAsync(bucket, new S3ListRequest { Prefix = "", Delimiter = "/" });
        top.CommonPrefixes.ShouldBe(["logs/"]);
        top.Objects.Select(o => o.Key).ShouldBe(["top.txt"]);
        var logs = await _s3.ListObjectsAsync(bucket, new S3ListRequest { Prefix = "logs/", Delimiter = "/" });
        logs.CommonPrefixes.ShouldBe(["logs/0/", "logs/1/", "logs/2/"]);
        (await _s3.ListObjectsAsync(bucket, new S3ListRequest { StartAfter = "logs/2/entry-023" })).Objects.Select(o => o.Key).ShouldBe(["top.txt"]);
    }

    [Fact]
    public async Task Multipart_upload_by_hand_completes_to_an_md5_of_md5s_etag_and_an_aborted_one_leaves_nothing()
    {
        var bucket = await BucketAsync();
        var part1 = RandomNumberGenerator.GetBytes(5 * 1024 * 1024);
        var part2 = RandomNumberGenerator.GetBytes(1234);
        var uploadId = await _s3.CreateMultipartUploadAsync(bucket, "big", new S3PutOptions { ContentType = "video/mp4" });
        var parts = new[]
        {
            await _s3.UploadPartAsync(bucket, "big", uploadId, 1, part1),
            await _s3.UploadPartAsync(bucket, "big", uploadId, 2, part2),
        };
        var etag = await _s3.CompleteMultipartUploadAsync(bucket, "big", uploadId, parts);

        var expected = Convert.ToHexStringLower(MD5.HashData([.. MD5.HashData(part1), .. MD5.HashData(part2)])) + "-2";
        etag.ShouldBe("\"" + expected + "\"");
        using var body = new MemoryStream();
        var info = await _s3.GetObjectAsync(bucket, "big", body);
        body.ToArray().ShouldBe([.. part1, .. part2]);
        info.ContentType.ShouldBe("video/mp4");
        info.ETagIsMd5.ShouldBeFalse();

        var tooSmall = await _s3.CreateMultipartUploadAsync(bucket, "small-parts");
        var small = new[] { await _s3.UploadPartAsync(bucket, "small-parts", tooSmall, 1, new byte[100]), await _s3.UploadPartAsync(bucket, "small-parts", tooSmall, 2, new byte[100]) };
        var refused = await Should.ThrowAsync<NimbusApiException>(() => _s3.CompleteMultipartUploadAsync(bucket, "small-parts", tooSmall, small));
        refused.Code.ShouldBe("EntityTooSmall");
        await _s3.AbortMultipartUploadAsync(bucket, "small-parts", tooSmall);
        (await Should.ThrowAsync<NimbusApiException>(() => _s3.UploadPartAsync(bucket, "small-parts", tooSmall, 3, new byte[1]))).Code.ShouldBe("NoSuchUpload");
        (await _s3.ListObjectsAsync(bucket)).Objects.Select(o => o.Key).ShouldBe(["big"]);
    }

    [Fact]
    public async Task Upload_file_chooses_parts_by_size_and_reports_progress()
    {
        var bucket = await BucketAsync();
        using var files = new TempDirectory();
        var path = files.Combine("file.bin");
        var content = RandomNumberGenerator.GetBytes((11 * 1024 * 1024) + 7);
        await File.WriteAllBytesAsync(path, content);
        using var s3 = ClientFactory.S3(_server, partSize: 5 * 1024 * 1024, threshold: 6 * 1024 * 1024);
        var reports = new List<long>();

        var etag = await s3.UploadFileAsync(bucket, "file.bin", path, progress: new SynchronousProgress(reports));

        etag.ShouldEndWith("-3\"");
        reports.Max().ShouldBe(content.Length);
        var back = files.Combine("back.bin");
        var info = await s3.DownloadFileAsync(bucket, "file.bin", back);
        info.ContentLength.ShouldBe(content.Length);
        (await File.ReadAllBytesAsync(back)).ShouldBe(content);
        s3.PartSizeFor(100L * 1024 * 1024 * 1024).ShouldBe(10737419L, "100 GiB must fit in 10,000 parts");
    }

    [Fact]
    public async Task Server_errors_arrive_as_their_s3_codes()
    {
        var bucket = await BucketAsync();
        (await Should.ThrowAsync<NimbusApiException>(() => _s3.HeadObjectAsync(bucket, "missing"))).Code.ShouldBe("NoSuchKey");
        var get = await Should.ThrowAsync<NimbusApiException>(() => _s3.GetObjectAsync(bucket, "missing", Stream.Null));
        get.Code.ShouldBe("NoSuchKey");
        get.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        get.RequestId.ShouldNotBeNullOrEmpty();
        (await Should.ThrowAsync<NimbusApiException>(() => _s3.ListObjectsAsync("no-such-bucket-anywhere"))).Code.ShouldBe("NoSuchBucket");

        using var wrongSecret = new S3Client(new S3ClientOptions { Endpoint = _server.S3Endpoint, Credentials = new(_server.Admin.AccessKeyId, "wrong") });
        (await Should.ThrowAsync<NimbusApiException>(() => wrongSecret.PutObjectAsync(bucket, "k", new byte[] { 1 }))).Code.ShouldBe("SignatureDoesNotMatch");
        (await Should.ThrowAsync<NimbusApiException>(() => wrongSecret.HeadObjectAsync(bucket, "k"))).Code.ShouldBe("AccessDenied");
    }

    [Fact]
    public async Task Aws_chunked_uploads_with_a_crc32c_trailer_store_the_exact_bytes()
    {
        var bucket = await BucketAsync();
        using var s3 = ClientFactory.S3(_server, S3PayloadSigning.Chunked);
        var content = RandomNumberGenerator.GetBytes(200_000);

        var etag = await s3.PutObjectAsync(bucket, "chunked", content, new S3PutOptions { ContentType = "application/octet-stream" });
        await s3.PutObjectAsync(bucket, "empty", ReadOnlyMemory<byte>.Empty);

        etag.ShouldBe("\"" + Convert.ToHexStringLower(MD5.HashData(content)) + "\"");
        using var body = new MemoryStream();
        var info = await _s3.GetObjectAsync(bucket, "chunked", body);
        body.ToArray().ShouldBe(content);
        info.ContentLength.ShouldBe(content.Length);
        (await _s3.HeadObjectAsync(bucket, "empty")).ContentLength.ShouldBe(0);
    }

    [Theory]
    [InlineData(S3PayloadSigning.Signed)]
    [InlineData(S3PayloadSigning.Chunked)]
    public async Task Downloads_of_multipart_objects_are_checked_against_the_stored_full_object_checksum(S3PayloadSigning signing)
    {
        var bucket = await BucketAsync();
        using var s3 = ClientFactory.S3(_server, signing, partSize: 5 * 1024 * 1024, threshold: 5 * 1024 * 1024);
        using var files = new TempDirectory();
        var content = RandomNumberGenerator.GetBytes((6 * 1024 * 1024) + 1);
        await File.WriteAllBytesAsync(files.Combine("in.bin"), content);
        await s3.UploadFileAsync(bucket, "mpu", files.Combine("in.bin"));

        var head = await s3.HeadObjectAsync(bucket, "mpu");
        head.ETagIsMd5.ShouldBeFalse();
        head.ChecksumType.ShouldBe("FULL_OBJECT", string.Join(", ", head.Checksums));
        head.Checksums.Keys.ShouldHaveSingleItem();
        using var body = new MemoryStream();
        var info = await s3.GetObjectAsync(bucket, "mpu", body);
        body.ToArray().ShouldBe(content);
        info.Checksums.ShouldBe(head.Checksums);
    }

    private sealed class SynchronousProgress(List<long> reports) : IProgress<long>
    {
        public void Report(long value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }

    [Fact]
    public async Task A_corrupt_object_is_refused_with_InvalidObjectState_and_not_retried()
    {
        var bucket = await BucketAsync();
        // Over 32 KiB, so that it has a data file to damage (smaller objects live in the index row; their rot is
        // covered by the storage tests).
        await _s3.PutObjectAsync(bucket, "rot", RandomNumberGenerator.GetBytes(100 * 1024));
        var file = Directory.EnumerateFiles(Path.Combine(_server.DataDirectory, "storage", "data"), "*", SearchOption.AllDirectories)
            .OrderByDescending(File.GetLastWriteTimeUtc).First();
        var bytes = await File.ReadAllBytesAsync(file);
        bytes[100] ^= 0xFF;
        await File.WriteAllBytesAsync(file, bytes);

        using var counting = new CountingHandler(new SocketsHttpHandler());
        using var s3 = new S3Client(new S3ClientOptions { Endpoint = _server.S3Endpoint, Credentials = _server.AdminCredentials, MaxRetries = 3, RetryBaseDelay = TimeSpan.FromMilliseconds(1) }, counting);
        for (var i = 0; i < 2; i++)
        {
            // First read: found by the block check; second: refused from the index's corrupt mark.
            var refused = await Should.ThrowAsync<NimbusApiException>(() => s3.GetObjectAsync(bucket, "rot", new MemoryStream()));
            (refused.StatusCode, refused.Code).ShouldBe((HttpStatusCode.Forbidden, "InvalidObjectState"));
            refused.IsTransient.ShouldBeFalse();
        }

        counting.Count.ShouldBe(2);
    }

    private sealed class CountingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private int _count;

        public int Count => _count;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _count);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
