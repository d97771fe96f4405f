using System.Net;
using System.Security.Cryptography;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;
using Nimbus.Contracts.Checksums;
using Nimbus.Contracts.Signing;
using Shouldly;
using Xunit;
using ChecksumAlgorithm = Nimbus.Contracts.Checksums.ChecksumAlgorithm;
using S3ChecksumAlgorithm = Amazon.S3.ChecksumAlgorithm;
using S3ChecksumType = Amazon.S3.ChecksumType;

namespace Nimbus.Storage.Tests;

/// <summary>Request bodies as current clients send them: aws-chunked, signed chunks, trailers, checksums.</summary>
public sealed class PayloadTests(StorageServer fixture) : IClassFixture<StorageServer>
{
    [Fact]
    public async Task A_default_sdk_put_is_decoded_and_its_checksum_returned_when_asked()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        var body = RandomNumberGenerator.GetBytes(300_000);
        var put = await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "chunked.bin", InputStream = new MemoryStream(body) });
        put.ETag.ShouldBe("\"" + Convert.ToHexStringLower(MD5.HashData(body)) + "\"");

        using var get = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "chunked.bin", ChecksumMode = ChecksumMode.ENABLED });
        (await ReadAllAsync(get.ResponseStream)).ShouldBe(body);
        get.Headers.ContentLength.ShouldBe(body.Length);
        get.Headers.ContentEncoding.ShouldBeNullOrEmpty();
        get.ChecksumCRC32.ShouldBe(ChecksumAlgorithms.ComputeValue(ChecksumAlgorithm.Crc32, body));
        get.ChecksumType.Value.ShouldBe("FULL_OBJECT");

        var head = await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = "chunked.bin", ChecksumMode = ChecksumMode.ENABLED });
        head.ChecksumCRC32.ShouldBe(get.ChecksumCRC32);
        var plain = await s3.GetObjectMetadataAsync(bucket, "chunked.bin");
        plain.ChecksumCRC32.ShouldBeNull();
    }

    [Theory]
    [InlineData("CRC32")]
    [InlineData("CRC32C")]
    [InlineData("CRC64NVME")]
    [InlineData("SHA1")]
    [InlineData("SHA256")]
    public async Task Every_checksum_algorithm_is_verified_stored_and_returned(string name)
    {
        // AWSSDK.S3 computes CRC32C and CRC64NVME only with its native CRT package: the upload uses Nimbus's own encoder.
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        var body = RandomNumberGenerator.GetBytes(200_000);
        ChecksumAlgorithms.TryParse(name, out var algorithm).ShouldBeTrue();
        using var request = ChunkedPut(bucket, "k", body, AwsChunkedMode.SignedPayloadTrailer, algorithm, fixture.Server.AdminCredentials);
        using var response = await SendAsync(request, await request.Content!.ReadAsByteArrayAsync(), withLength: true);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());

        var expected = ChecksumAlgorithms.ComputeValue(algorithm, body);
        using var get = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "k", ChecksumMode = ChecksumMode.ENABLED });
        (await ReadAllAsync(get.ResponseStream)).ShouldBe(body);
        ValueOf(get.ChecksumCRC32, get.ChecksumCRC32C, get.ChecksumCRC64NVME, get.ChecksumSHA1, get.ChecksumSHA256, algorithm).ShouldBe(expected);
        var head = await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = "k", ChecksumMode = ChecksumMode.ENABLED });
        ValueOf(head.ChecksumCRC32, head.ChecksumCRC32C, head.ChecksumCRC64NVME, head.ChecksumSHA1, head.ChecksumSHA256, algorithm).ShouldBe(expected);

        // A range is not the object: no checksum for it.
        using var range = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "k", ByteRange = new ByteRange(0, 99), ChecksumMode = ChecksumMode.ENABLED });
        ValueOf(range.ChecksumCRC32, range.ChecksumCRC32C, range.ChecksumCRC64NVME, range.ChecksumSHA1, range.ChecksumSHA256, algorithm).ShouldBeNull();
    }

    [Theory]
    [InlineData("CRC32")]
    [InlineData("SHA1")]
    [InlineData("SHA256")]
    public async Task Sdk_checksums_it_computes_itself_are_verified_and_returned(string name)
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        var body = RandomNumberGenerator.GetBytes(100_000);
        ChecksumAlgorithms.TryParse(name, out var algorithm).ShouldBeTrue();
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k", InputStream = new MemoryStream(body), ChecksumAlgorithm = S3ChecksumAlgorithm.FindValue(name) });
        var head = await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = "k", ChecksumMode = ChecksumMode.ENABLED });
        ValueOf(head.ChecksumCRC32, head.ChecksumCRC32C, head.ChecksumCRC64NVME, head.ChecksumSHA1, head.ChecksumSHA256, algorithm).ShouldBe(ChecksumAlgorithms.ComputeValue(algorithm, body));
    }

    [Fact]
    public async Task A_zero_byte_default_sdk_put_round_trips()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        var put = await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "empty", InputStream = new MemoryStream() });
        put.ETag.ShouldBe("\"d41d8cd98f00b204e9800998ecf8427e\"");
        using var get = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "empty", ChecksumMode = ChecksumMode.ENABLED });
        get.ContentLength.ShouldBe(0);
        get.ChecksumCRC32.ShouldBe(ChecksumAlgorithms.ComputeValue(ChecksumAlgorithm.Crc32, []));
    }

    [Fact]
    public async Task A_checksum_header_that_does_not_match_is_BadDigest_and_stores_nothing()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        var error = await Should.ThrowAsync<AmazonS3Exception>(() => s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket,
            Key = "bad",
            ContentBody = "actual bytes",
            ChecksumSHA256 = ChecksumAlgorithms.ComputeValue(ChecksumAlgorithm.Sha256, "other bytes"u8),
        }));
        error.ErrorCode.ShouldBe("BadDigest");
        error.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).KeyCount.ShouldBe(0);
    }

    [Fact]
    public async Task A_tampered_signed_chunk_is_SignatureDoesNotMatch_and_stores_nothing()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        var payload = RandomNumberGenerator.GetBytes(100_000);
        using var request = ChunkedPut(bucket, "forged", payload, AwsChunkedMode.SignedPayload, null, fixture.Server.AdminCredentials);
        var encoded = await request.Content!.ReadAsByteArrayAsync();
        encoded[encoded.Length / 2] ^= 0x01;
        using var response = await SendAsync(request, encoded, withLength: true);
        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await response.Content.ReadAsStringAsync()).ShouldContain("<Code>SignatureDoesNotMatch</Code>");
        (await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).KeyCount.ShouldBe(0);
    }

    [Fact]
    public async Task Signed_chunks_with_a_signed_trailer_store_exactly_the_payload()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        var payload = RandomNumberGenerator.GetBytes(200_000);
        using var request = ChunkedPut(bucket, "signed", payload, AwsChunkedMode.SignedPayloadTrailer, ChecksumAlgorithm.Crc32C, fixture.Server.AdminCredentials);
        using var response = await SendAsync(request, await request.Content!.ReadAsByteArrayAsync(), withLength: true);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        response.Headers.GetValues("x-amz-checksum-crc32c").ShouldBe([ChecksumAlgorithms.ComputeValue(ChecksumAlgorithm.Crc32C, payload)]);
        using var get = await s3.GetObjectAsync(bucket, "signed");
        (await ReadAllAsync(get.ResponseStream)).ShouldBe(payload);
    }

    [Fact]
    public async Task An_unsigned_trailer_upload_still_needs_a_valid_authorization_header()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        var payload = RandomNumberGenerator.GetBytes(1000);
        var forged = new SigV4Credentials(fixture.Server.Admin.AccessKeyId, "not-the-secret");
        using var request = ChunkedPut(bucket, "unsigned", payload, AwsChunkedMode.UnsignedPayloadTrailer, ChecksumAlgorithm.Crc32, forged);
        using var response = await SendAsync(request, await request.Content!.ReadAsByteArrayAsync(), withLength: true);
        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await response.Content.ReadAsStringAsync()).ShouldContain("<Code>SignatureDoesNotMatch</Code>");
        (await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).KeyCount.ShouldBe(0);
    }

    [Fact]
    public async Task An_unsigned_trailer_upload_without_content_length_uses_the_decoded_length_and_keeps_other_encodings()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        var payload = RandomNumberGenerator.GetBytes(150_000);
        using var request = ChunkedPut(bucket, "te-chunked", payload, AwsChunkedMode.UnsignedPayloadTrailer, ChecksumAlgorithm.Crc64Nvme, fixture.Server.AdminCredentials, contentEncoding: "gzip");
        using var response = await SendAsync(request, await request.Content!.ReadAsByteArrayAsync(), withLength: false);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());

        using var get = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "te-chunked", ChecksumMode = ChecksumMode.ENABLED });
        get.ContentLength.ShouldBe(payload.Length);
        get.Headers.ContentEncoding.ShouldBe("gzip");
        get.ChecksumCRC64NVME.ShouldBe(ChecksumAlgorithms.ComputeValue(ChecksumAlgorithm.Crc64Nvme, payload));
        (await ReadAllAsync(get.ResponseStream)).ShouldBe(payload);
    }

    [Fact]
    public async Task A_trailer_checksum_that_does_not_match_is_BadDigest()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        var payload = RandomNumberGenerator.GetBytes(5000);
        using var request = ChunkedPut(bucket, "bad-trailer", payload, AwsChunkedMode.UnsignedPayloadTrailer, ChecksumAlgorithm.Crc32, fixture.Server.AdminCredentials);
        var encoded = Encoding.Latin1.GetString(await request.Content!.ReadAsByteArrayAsync());
        var right = ChecksumAlgorithms.ComputeValue(ChecksumAlgorithm.Crc32, payload);
        var wrong = ChecksumAlgorithms.ComputeValue(ChecksumAlgorithm.Crc32, "something else"u8);
        encoded.ShouldContain("x-amz-checksum-crc32:" + right);
        using var response = await SendAsync(request, Encoding.Latin1.GetBytes(encoded.Replace(right, wrong, StringComparison.Ordinal)), withLength: true);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldContain("<Code>BadDigest</Code>");
        (await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).KeyCount.ShouldBe(0);
    }

    [Fact]
    public async Task A_composite_sha256_multipart_checksum_is_the_checksum_of_the_part_checksums()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        var one = RandomNumberGenerator.GetBytes(5 * 1024 * 1024);
        var two = RandomNumberGenerator.GetBytes(1234);
        var create = await s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = bucket, Key = "mp", ChecksumAlgorithm = S3ChecksumAlgorithm.SHA256 });
        var p1 = await s3.UploadPartAsync(new UploadPartRequest { BucketName = bucket, Key = "mp", UploadId = create.UploadId, PartNumber = 1, InputStream = new MemoryStream(one), ChecksumAlgorithm = S3ChecksumAlgorithm.SHA256 });
        var p2 = await s3.UploadPartAsync(new UploadPartRequest { BucketName = bucket, Key = "mp", UploadId = create.UploadId, PartNumber = 2, InputStream = new MemoryStream(two), ChecksumAlgorithm = S3ChecksumAlgorithm.SHA256 });
        p1.ChecksumSHA256.ShouldBe(Convert.ToBase64String(SHA256.HashData(one)));

        var done = await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = bucket,
            Key = "mp",
            UploadId = create.UploadId,
            PartETags = [new PartETag { PartNumber = 1, ETag = p1.ETag, ChecksumSHA256 = p1.ChecksumSHA256 }, new PartETag { PartNumber = 2, ETag = p2.ETag, ChecksumSHA256 = p2.ChecksumSHA256 }],
        });
        var expected = Convert.ToBase64String(SHA256.HashData([.. SHA256.HashData(one), .. SHA256.HashData(two)])) + "-2";
        done.ChecksumSHA256.ShouldBe(expected);

        var head = await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = "mp", ChecksumMode = ChecksumMode.ENABLED });
        head.ChecksumSHA256.ShouldBe(expected);
        head.ChecksumType.Value.ShouldBe("COMPOSITE");

        // One part: that part's own checksum, as uploaded (the SDK checks the part's bytes against it while reading).
        foreach (var (number, bytes, uploaded) in new[] { (1, one, p1.ChecksumSHA256), (2, two, p2.ChecksumSHA256) })
        {
            using var part = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "mp", PartNumber = number, ChecksumMode = ChecksumMode.ENABLED });
            part.ChecksumSHA256.ShouldBe(uploaded);
            part.ChecksumSHA256.ShouldBe(Convert.ToBase64String(SHA256.HashData(bytes)));
            part.PartsCount.ShouldBe(2);
            (await ReadAllAsync(part.ResponseStream)).ShouldBe(bytes);
        }

        var withoutMode = await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = "mp", PartNumber = 2 });
        withoutMode.ChecksumSHA256.ShouldBeNull();
    }

    [Fact]
    public async Task A_full_object_crc32_multipart_checksum_is_the_crc_of_the_whole_object()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        var one = RandomNumberGenerator.GetBytes(5 * 1024 * 1024);
        var two = RandomNumberGenerator.GetBytes(777);
        var create = await s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = bucket, Key = "full", ChecksumAlgorithm = S3ChecksumAlgorithm.CRC32, ChecksumType = S3ChecksumType.FULL_OBJECT });
        var p1 = await s3.UploadPartAsync(new UploadPartRequest { BucketName = bucket, Key = "full", UploadId = create.UploadId, PartNumber = 1, InputStream = new MemoryStream(one), ChecksumAlgorithm = S3ChecksumAlgorithm.CRC32 });
        var p2 = await s3.UploadPartAsync(new UploadPartRequest { BucketName = bucket, Key = "full", UploadId = create.UploadId, PartNumber = 2, InputStream = new MemoryStream(two), ChecksumAlgorithm = S3ChecksumAlgorithm.CRC32 });
        var whole = ChecksumAlgorithms.ComputeValue(ChecksumAlgorithm.Crc32, [.. one, .. two]);
        var done = await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = bucket,
            Key = "full",
            UploadId = create.UploadId,
            PartETags = [new PartETag { PartNumber = 1, ETag = p1.ETag, ChecksumCRC32 = p1.ChecksumCRC32 }, new PartETag { PartNumber = 2, ETag = p2.ETag, ChecksumCRC32 = p2.ChecksumCRC32 }],
        });
        done.ChecksumCRC32.ShouldBe(whole);

        // The SDK validates a full-object checksum while reading: a wrong one would fail this read.
        using var get = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "full", ChecksumMode = ChecksumMode.ENABLED });
        get.ChecksumCRC32.ShouldBe(whole);
        (await ReadAllAsync(get.ResponseStream)).Length.ShouldBe(one.Length + two.Length);
    }

    [Fact]
    public async Task A_part_with_another_algorithm_than_the_upload_declared_is_refused()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        var create = await s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = bucket, Key = "mixed", ChecksumAlgorithm = S3ChecksumAlgorithm.SHA1 });
        var error = await Should.ThrowAsync<AmazonS3Exception>(() => s3.UploadPartAsync(new UploadPartRequest { BucketName = bucket, Key = "mixed", UploadId = create.UploadId, PartNumber = 1, InputStream = new MemoryStream(new byte[10]), ChecksumAlgorithm = S3ChecksumAlgorithm.CRC32 }));
        error.ErrorCode.ShouldBe("InvalidRequest");
    }

    private static string? ValueOf(string? crc32, string? crc32c, string? crc64nvme, string? sha1, string? sha256, ChecksumAlgorithm algorithm) => algorithm switch
    {
        ChecksumAlgorithm.Crc32 => crc32,
        ChecksumAlgorithm.Crc32C => crc32c,
        ChecksumAlgorithm.Crc64Nvme => crc64nvme,
        ChecksumAlgorithm.Sha1 => sha1,
        _ => sha256,
    };

    private HttpRequestMessage ChunkedPut(string bucket, string key, byte[] payload, AwsChunkedMode mode, ChecksumAlgorithm? checksum, SigV4Credentials credentials, string? contentEncoding = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, new Uri(fixture.Server.S3Endpoint, $"/{bucket}/{key}"));
        if (contentEncoding is not null)
        {
            request.Content = new ByteArrayContent([]);
            request.Content.Headers.ContentEncoding.Add(contentEncoding);
        }

        AwsChunkedUpload.Prepare(request, new MemoryStream(payload), payload.Length, credentials, "local", "s3", DateTimeOffset.UtcNow, mode, checksum, chunkSize: 64 * 1024);
        return request;
    }

    /// <summary>Sends the prepared request's headers with <paramref name="body"/>; without a length, HTTP chunked transfer coding carries it.</summary>
    private static async Task<HttpResponseMessage> SendAsync(HttpRequestMessage prepared, byte[] body, bool withLength)
    {
        using var http = new HttpClient();
        var request = new HttpRequestMessage(prepared.Method, prepared.RequestUri);
        foreach (var header in prepared.Headers)
        {
            request.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        HttpContent content = withLength ? new ByteArrayContent(body) : new StreamContent(new NonSeekableStream(body));
        foreach (var header in prepared.Content!.Headers)
        {
            if (!header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        request.Content = content;
        return await http.SendAsync(request);
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    private static async Task<string> NewBucketAsync(AmazonS3Client s3)
    {
        var bucket = StorageServer.NewBucketName();
        await s3.PutBucketAsync(bucket);
        return bucket;
    }

    /// <summary>A stream of unknown length, so HttpClient sends it with Transfer-Encoding: chunked.</summary>
    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
