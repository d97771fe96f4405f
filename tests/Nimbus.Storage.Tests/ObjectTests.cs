using System.Security.Cryptography;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;
using Shouldly;
using Xunit;

namespace Nimbus.Storage.Tests;

public sealed class ObjectTests(StorageServer fixture) : IClassFixture<StorageServer>
{
    [Fact]
    public async Task Put_then_get_returns_the_same_bytes_and_md5_etag()
    {
        using var s3 = fixture.Client();
        var bucket = StorageServer.NewBucketName();
        await s3.PutBucketAsync(bucket);
        var body = RandomNumberGenerator.GetBytes(100_000);
        var put = await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "hello.bin", InputStream = new MemoryStream(body), ContentType = "application/x-test" });
        put.ETag.ShouldBe("\"" + Convert.ToHexStringLower(MD5.HashData(body)) + "\"");

        using var get = await s3.GetObjectAsync(bucket, "hello.bin");
        using var copy = new MemoryStream();
        await get.ResponseStream.CopyToAsync(copy);
        copy.ToArray().ShouldBe(body);
        get.Headers.ContentType.ShouldBe("application/x-test");
        get.ETag.ShouldBe(put.ETag);
    }
}
