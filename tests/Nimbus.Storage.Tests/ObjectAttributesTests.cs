using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Shouldly;
using Xunit;
using S3ChecksumAlgorithm = Amazon.S3.ChecksumAlgorithm;

namespace Nimbus.Storage.Tests;

/// <summary>GetObjectAttributes through AWSSDK.S3: what the header names, and the parts of a multipart object page by page.</summary>
public sealed class ObjectAttributesTests(StorageServer fixture) : IClassFixture<StorageServer>
{
    private static readonly List<ObjectAttributes> All =
        [ObjectAttributes.ETag, ObjectAttributes.Checksum, ObjectAttributes.ObjectParts, ObjectAttributes.StorageClass, ObjectAttributes.ObjectSize];

    [Fact]
    public async Task A_single_put_reports_its_etag_size_class_and_default_checksum_and_no_parts()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        var put = await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k", ContentBody = "hello attributes" });
        var head = await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = "k", ChecksumMode = ChecksumMode.ENABLED });

        var attributes = await s3.GetObjectAttributesAsync(new GetObjectAttributesRequest { BucketName = bucket, Key = "k", ObjectAttributes = All });
        attributes.ETag.ShouldBe(put.ETag.Trim('"'));
        attributes.ObjectSize.ShouldBe(16);
        attributes.StorageClass.ShouldBe(S3StorageClass.Standard);
        attributes.Checksum.ChecksumCRC64NVME.ShouldBe(head.ChecksumCRC64NVME);
        attributes.Checksum.ChecksumType.ShouldBe(ChecksumType.FULL_OBJECT);
        attributes.ObjectParts.ShouldBeNull();
        attributes.LastModified.ShouldBe(head.LastModified);

        // Only what was asked for.
        var size = await s3.GetObjectAttributesAsync(new GetObjectAttributesRequest { BucketName = bucket, Key = "k", ObjectAttributes = [ObjectAttributes.ObjectSize] });
        size.ObjectSize.ShouldBe(16);
        size.ETag.ShouldBeNull();
        size.Checksum.ShouldBeNull();

        var missing = await Should.ThrowAsync<AmazonS3Exception>(() => s3.GetObjectAttributesAsync(new GetObjectAttributesRequest { BucketName = bucket, Key = "nope", ObjectAttributes = All }));
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        missing.ErrorCode.ShouldBe("NoSuchKey");
    }

    [Fact]
    public async Task A_multipart_object_lists_its_parts_with_their_checksums_a_page_at_a_time()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        byte[][] bodies = [RandomNumberGenerator.GetBytes(5 * 1024 * 1024), RandomNumberGenerator.GetBytes(5 * 1024 * 1024), RandomNumberGenerator.GetBytes(1234)];
        var create = await s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = bucket, Key = "mp", ChecksumAlgorithm = S3ChecksumAlgorithm.CRC32 });
        var parts = new List<UploadPartResponse>();
        for (var i = 0; i < bodies.Length; i++)
        {
            parts.Add(await s3.UploadPartAsync(new UploadPartRequest { BucketName = bucket, Key = "mp", UploadId = create.UploadId, PartNumber = i + 1, InputStream = new MemoryStream(bodies[i]), ChecksumAlgorithm = S3ChecksumAlgorithm.CRC32 }));
        }

        var done = await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = bucket,
            Key = "mp",
            UploadId = create.UploadId,
            PartETags = [.. parts.Select((p, i) => new PartETag { PartNumber = i + 1, ETag = p.ETag, ChecksumCRC32 = p.ChecksumCRC32 })],
        });

        var first = await s3.GetObjectAttributesAsync(new GetObjectAttributesRequest { BucketName = bucket, Key = "mp", ObjectAttributes = All, MaxParts = 2 });
        first.ETag.ShouldBe(done.ETag.Trim('"'));
        first.ETag.ShouldEndWith("-3");
        first.ObjectSize.ShouldBe(bodies.Sum(b => (long)b.Length));
        first.Checksum.ChecksumCRC32.ShouldBe(done.ChecksumCRC32);
        first.ObjectParts.TotalPartsCount.ShouldBe(3);
        first.ObjectParts.IsTruncated.ShouldBe(true);
        first.ObjectParts.NextPartNumberMarker.ShouldBe(2);
        first.ObjectParts.Parts.Select(p => (p.PartNumber, p.Size, p.ChecksumCRC32)).ShouldBe(
            [(1, (long?)bodies[0].Length, parts[0].ChecksumCRC32), (2, bodies[1].Length, parts[1].ChecksumCRC32)]);

        var rest = await s3.GetObjectAttributesAsync(new GetObjectAttributesRequest { BucketName = bucket, Key = "mp", ObjectAttributes = [ObjectAttributes.ObjectParts], MaxParts = 2, PartNumberMarker = 2 });
        rest.ObjectParts.IsTruncated.ShouldBe(false);
        rest.ObjectParts.Parts.ShouldHaveSingleItem().Size.ShouldBe(1234);
        rest.ObjectParts.Parts[0].PartNumber.ShouldBe(3);
    }

    [Fact]
    public async Task Unknown_or_missing_attribute_names_are_invalid_arguments()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k", ContentBody = "x" });
        var unknown = await Should.ThrowAsync<AmazonS3Exception>(() => s3.GetObjectAttributesAsync(new GetObjectAttributesRequest { BucketName = bucket, Key = "k", ObjectAttributes = [new ObjectAttributes("Colour")] }));
        unknown.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        unknown.ErrorCode.ShouldBe("InvalidArgument");
        var none = await Should.ThrowAsync<AmazonS3Exception>(() => s3.GetObjectAttributesAsync(new GetObjectAttributesRequest { BucketName = bucket, Key = "k" }));
        none.ErrorCode.ShouldBe("InvalidArgument");
    }

    private static async Task<string> NewBucketAsync(AmazonS3Client s3)
    {
        var bucket = StorageServer.NewBucketName();
        await s3.PutBucketAsync(bucket);
        return bucket;
    }
}
