using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Amazon.S3.Model;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Storage.Tests;

public sealed class BucketApiTests
{
    [Fact]
    public async Task Buckets_are_resources_of_the_rest_api_with_usage_quota_and_the_same_names_as_s3()
    {
        await using var server = await NimbusServer.StartAsync();
        using var api = server.SignedHttpClient();
        using var s3 = StorageServer.CreateClient(server);

        var created = await api.PostAsJsonAsync("/v1/storage/buckets", new { name = "rest-made-bucket", tags = new Dictionary<string, string> { ["team"] = "a" } });
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        (await s3.ListBucketsAsync()).Buckets.Select(b => b.BucketName).ShouldContain("rest-made-bucket");

        await s3.PutObjectAsync(new PutObjectRequest { BucketName = "rest-made-bucket", Key = "k", ContentBody = "12345" });
        using (var one = JsonDocument.Parse(await api.GetStringAsync("/v1/storage/buckets/rest-made-bucket")))
        {
            one.RootElement.GetProperty("kind").GetString().ShouldBe("storage/bucket");
            one.RootElement.GetProperty("status").GetProperty("details").GetProperty("objects").GetInt64().ShouldBe(1);
            one.RootElement.GetProperty("status").GetProperty("details").GetProperty("bytes").GetInt64().ShouldBe(5);
        }

        var duplicate = await api.PostAsJsonAsync("/v1/storage/buckets", new { name = "rest-made-bucket" });
        duplicate.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        var invalid = await api.PostAsJsonAsync("/v1/storage/buckets", new { name = "Not_Valid" });
        invalid.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var notEmpty = await api.DeleteAsync("/v1/storage/buckets/rest-made-bucket");
        notEmpty.StatusCode.ShouldBe(HttpStatusCode.Conflict);

        await server.Host.Services.GetService(typeof(StorageRuntime)).ShouldBeOfType<StorageRuntime>().PublishUsageAsync(CancellationToken.None);
        using (var quotas = JsonDocument.Parse(await api.GetStringAsync("/v1/quotas")))
        {
            var items = quotas.RootElement.GetProperty("items").EnumerateArray().ToDictionary(q => q.GetProperty("code").GetString()!);
            items["storage.buckets"].GetProperty("usage").GetInt64().ShouldBe(1);
            items["storage.bytes"].GetProperty("usage").GetInt64().ShouldBe(5);
        }

        await s3.DeleteObjectAsync("rest-made-bucket", "k");
        (await api.DeleteAsync("/v1/storage/buckets/rest-made-bucket")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await api.GetAsync("/v1/storage/buckets/rest-made-bucket")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
