using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Shouldly;
using Xunit;

namespace Nimbus.Storage.Tests;

/// <summary>Bucket and object sub-resources: tagging, bucket policy, CORS (configuration, preflight, response headers).</summary>
public sealed class BucketConfigTests(StorageServer fixture) : IClassFixture<StorageServer>
{
    [Fact]
    public async Task Bucket_tagging_is_set_read_replaced_and_deleted()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        var none = await Should.ThrowAsync<AmazonS3Exception>(() => s3.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = bucket }));
        none.ErrorCode.ShouldBe("NoSuchTagSet");

        await s3.PutBucketTaggingAsync(bucket, [new Tag { Key = "team", Value = "data" }, new Tag { Key = "env", Value = "test" }]);
        var tags = await s3.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = bucket });
        tags.TagSet.Select(t => (t.Key, t.Value)).ShouldBe([("env", "test"), ("team", "data")]);

        await s3.PutBucketTaggingAsync(bucket, [new Tag { Key = "team", Value = "web" }]);
        (await s3.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = bucket })).TagSet.Select(t => t.Value).ShouldBe(["web"]);

        await s3.DeleteBucketTaggingAsync(bucket);
        (await Should.ThrowAsync<AmazonS3Exception>(() => s3.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = bucket }))).ErrorCode.ShouldBe("NoSuchTagSet");
    }

    [Fact]
    public async Task Object_tagging_comes_from_put_and_is_replaced_read_and_deleted()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "tagged", ContentBody = "x", TagSet = [new Tag { Key = "a b", Value = "1+1=2" }] });
        var tags = await s3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = "tagged" });
        tags.Tagging.Select(t => (t.Key, t.Value)).ShouldBe([("a b", "1+1=2")]);

        await s3.PutObjectTaggingAsync(new PutObjectTaggingRequest { BucketName = bucket, Key = "tagged", Tagging = new Tagging { TagSet = [new Tag { Key = "k", Value = "v" }] } });
        (await s3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = "tagged" })).Tagging.Select(t => t.Key).ShouldBe(["k"]);
        using (var get = await s3.GetObjectAsync(bucket, "tagged"))
        {
            get.TagCount.ShouldBe(1);
        }


        var tooMany = await Should.ThrowAsync<AmazonS3Exception>(() => s3.PutObjectTaggingAsync(new PutObjectTaggingRequest
        {
            BucketName = bucket,
            Key = "tagged",
            Tagging = new Tagging { TagSet = [.. Enumerable.Range(0, 11).Select(i => new Tag { Key = "k" + i, Value = "v" })] },
        }));
        tooMany.ErrorCode.ShouldBe("InvalidTag");

        await s3.DeleteObjectTaggingAsync(new DeleteObjectTaggingRequest { BucketName = bucket, Key = "tagged" });
        ((await s3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = "tagged" })).Tagging ?? []).ShouldBeEmpty();
        (await Should.ThrowAsync<AmazonS3Exception>(() => s3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = "absent" }))).ErrorCode.ShouldBe("NoSuchKey");
    }

    [Fact]
    public async Task A_bucket_policy_is_validated_stored_returned_and_deleted()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        await NoPolicyAsync(bucket);

        var policy = $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"nrn:nimbus:s3:::{{bucket}}/*"}]}""";
        await s3.PutBucketPolicyAsync(bucket, policy);
        (await s3.GetBucketPolicyAsync(bucket)).Policy.ShouldBe(policy);

        var bad = await Should.ThrowAsync<AmazonS3Exception>(() => s3.PutBucketPolicyAsync(bucket, """
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}
            """));
        bad.ErrorCode.ShouldBe("MalformedPolicy");
        bad.Message.ShouldContain("line 2");
        (await s3.GetBucketPolicyAsync(bucket)).Policy.ShouldBe(policy);

        await s3.DeleteBucketPolicyAsync(bucket);
        await NoPolicyAsync(bucket);
    }

    [Fact]
    public async Task Cors_rules_answer_preflights_without_credentials_and_mark_actual_responses()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "page.html", ContentBody = "<p>hi</p>" });
        var configuration = new CORSConfiguration
        {
            Rules =
            [
                new CORSRule { AllowedOrigins = ["https://*.example.com"], AllowedMethods = ["GET", "PUT"], AllowedHeaders = ["x-amz-*", "content-type"], ExposeHeaders = ["ETag"], MaxAgeSeconds = 600 },
            ],
        };
        await s3.PutCORSConfigurationAsync(bucket, configuration);
        var stored = await s3.GetCORSConfigurationAsync(bucket);
        stored.Configuration.Rules.Single().AllowedOrigins.ShouldBe(["https://*.example.com"]);

        using var anonymous = new HttpClient();
        var url = new Uri(fixture.Server.S3Endpoint, $"/{bucket}/page.html");
        using (var preflight = new HttpRequestMessage(HttpMethod.Options, url))
        {
            preflight.Headers.Add("Origin", "https://app.example.com");
            preflight.Headers.Add("Access-Control-Request-Method", "PUT");
            preflight.Headers.Add("Access-Control-Request-Headers", "Content-Type, X-Amz-Date");
            using var response = await anonymous.SendAsync(preflight);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            response.Headers.GetValues("Access-Control-Allow-Origin").ShouldBe(["https://app.example.com"]);
            response.Headers.GetValues("Access-Control-Allow-Methods").Single().ShouldBe("GET, PUT");
            response.Headers.GetValues("Access-Control-Allow-Headers").Single().ShouldBe("Content-Type, X-Amz-Date");
            response.Headers.GetValues("Access-Control-Max-Age").ShouldBe(["600"]);
        }

        using (var refused = new HttpRequestMessage(HttpMethod.Options, url))
        {
            refused.Headers.Add("Origin", "https://evil.test");
            refused.Headers.Add("Access-Control-Request-Method", "GET");
            using var response = await anonymous.SendAsync(refused);
            response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            (await response.Content.ReadAsStringAsync()).ShouldContain("<Code>AccessForbidden</Code>");
        }

        using (var signed = new HttpClient(new Nimbus.Testing.SigningHandler(fixture.Server.AdminCredentials, "local", "s3")))
        using (var get = new HttpRequestMessage(HttpMethod.Get, url))
        {
            get.Headers.Add("Origin", "https://app.example.com");
            using var response = await signed.SendAsync(get);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            response.Headers.GetValues("Access-Control-Allow-Origin").ShouldBe(["https://app.example.com"]);
            response.Headers.GetValues("Access-Control-Expose-Headers").ShouldBe(["ETag"]);
        }

        await s3.DeleteCORSConfigurationAsync(bucket);
        (await Should.ThrowAsync<AmazonS3Exception>(() => s3.GetCORSConfigurationAsync(bucket))).ErrorCode.ShouldBe("NoSuchCORSConfiguration");
    }

    [Fact]
    public async Task A_cors_rule_with_an_unknown_method_is_refused()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        var error = await Should.ThrowAsync<AmazonS3Exception>(() => s3.PutCORSConfigurationAsync(bucket, new CORSConfiguration
        {
            Rules = [new CORSRule { AllowedOrigins = ["*"], AllowedMethods = ["PATCH"] }],
        }));
        error.ErrorCode.ShouldBe("InvalidRequest");
    }

    /// <summary>GET ?policy is 404 NoSuchBucketPolicy (the SDK turns that into an empty answer, so raw HTTP).</summary>
    private async Task NoPolicyAsync(string bucket)
    {
        using var http = new HttpClient(new Nimbus.Testing.SigningHandler(fixture.Server.AdminCredentials, "local", "s3"));
        using var response = await http.GetAsync(new Uri(fixture.Server.S3Endpoint, $"/{bucket}?policy"));
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await response.Content.ReadAsStringAsync()).ShouldContain("<Code>NoSuchBucketPolicy</Code>");
    }

    private static async Task<string> NewBucketAsync(AmazonS3Client s3)
    {
        var bucket = StorageServer.NewBucketName();
        await s3.PutBucketAsync(bucket);
        return bucket;
    }
}
