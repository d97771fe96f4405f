using System.Net;
using System.Net.Http.Json;
using Amazon.S3;
using Amazon.S3.Model;
using Nimbus.Contracts.Iam;
using Nimbus.Core.Api;
using Nimbus.Contracts.Resources;
using Shouldly;
using Xunit;

namespace Nimbus.Storage.Tests;

/// <summary>Who may do what: bucket policies for anonymous callers and other accounts, S3 condition keys in identity policies.</summary>
public sealed class AccessTests(StorageServer fixture) : IClassFixture<StorageServer>
{
    [Fact]
    public async Task A_public_read_policy_lets_anonymous_callers_get_objects_and_nothing_else()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "public/page.html", ContentBody = "hello world" });
        using var anonymous = new HttpClient();
        var url = new Uri(fixture.Server.S3Endpoint, $"/{bucket}/public/page.html");
        (await anonymous.GetAsync(url)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        await s3.PutBucketPolicyAsync(bucket, $$"""
            {"Version":"2012-10-17","Statement":[{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{{bucket}}/public/*"}]}
            """);
        (await anonymous.GetStringAsync(url)).ShouldBe("hello world");
        (await anonymous.PutAsync(url, new StringContent("defaced"))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await anonymous.GetAsync(new Uri(fixture.Server.S3Endpoint, $"/{bucket}?list-type=2"))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "private/secret", ContentBody = "no" });
        (await anonymous.GetAsync(new Uri(fixture.Server.S3Endpoint, $"/{bucket}/private/secret"))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Another_account_reaches_a_bucket_only_through_its_policy()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "shared/report.csv", ContentBody = "a,b" });
        using var api = fixture.Server.SignedHttpClient();
        var created = await api.PostAsJsonAsync("/v1/iam/accounts", new CreateAccountRequest { Name = "tenant-" + Guid.NewGuid().ToString("N")[..8] }, NimbusJson.Options);
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var tenant = (await created.Content.ReadFromJsonAsync<CreateAccountResponse>(NimbusJson.Options))!;
        using var other = fixture.Client(tenant.RootAccessKey.AccessKey.AccessKeyId, tenant.RootAccessKey.SecretAccessKey);

        var denied = await Should.ThrowAsync<AmazonS3Exception>(() => other.GetObjectAsync(bucket, "shared/report.csv"));
        denied.ErrorCode.ShouldBe("AccessDenied");

        await s3.PutBucketPolicyAsync(bucket, $$"""
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{tenant.Account.Id}}:root"},"Action":["s3:GetObject"],"Resource":"arn:aws:s3:::{{bucket}}/shared/*"}]}
            """);
        using (var get = await other.GetObjectAsync(bucket, "shared/report.csv"))
        {
            (await new StreamReader(get.ResponseStream).ReadToEndAsync()).ShouldBe("a,b");
        }

        (await Should.ThrowAsync<AmazonS3Exception>(() => other.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "shared/x", ContentBody = "x" }))).ErrorCode.ShouldBe("AccessDenied");
        (await Should.ThrowAsync<AmazonS3Exception>(() => other.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket }))).ErrorCode.ShouldBe("AccessDenied");

        // An explicit deny in the bucket policy wins over the owner's own users' grants too.
        await s3.PutBucketPolicyAsync(bucket, $$"""
            {"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{{bucket}}/shared/*"}]}
            """);
        (await Should.ThrowAsync<AmazonS3Exception>(() => other.GetObjectAsync(bucket, "shared/report.csv"))).ErrorCode.ShouldBe("AccessDenied");
    }

    [Fact]
    public async Task An_identity_policy_can_limit_listing_with_the_s3_prefix_condition_key()
    {
        using var s3 = fixture.Client();
        var bucket = await NewBucketAsync(s3);
        using var api = fixture.Server.SignedHttpClient();
        var name = "alice-" + Guid.NewGuid().ToString("N")[..8];
        var user = await (await api.PostAsJsonAsync("/v1/iam/users", new CreateUserRequest { Name = name }, NimbusJson.Options)).Content.ReadFromJsonAsync<ResourceDto>(NimbusJson.Options);
        var policy = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::BUCKET","Condition":{"StringLike":{"s3:prefix":"home/NAME/*"}}}]}"""
            .Replace("BUCKET", bucket, StringComparison.Ordinal).Replace("NAME", name, StringComparison.Ordinal);
        (await api.PutAsJsonAsync($"/v1/iam/users/{user!.Id}/policies/s3-home", new PutInlinePolicyRequest { Document = policy }, NimbusJson.Options)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var key = (await (await api.PostAsJsonAsync("/v1/iam/access-keys", new { userName = name }, NimbusJson.Options)).Content.ReadFromJsonAsync<CreateAccessKeyResponse>(NimbusJson.Options))!;
        using var alice = fixture.Client(key.AccessKey.AccessKeyId, key.SecretAccessKey);

        (await alice.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = $"home/{name}/" })).HttpStatusCode.ShouldBe(HttpStatusCode.OK);
        (await Should.ThrowAsync<AmazonS3Exception>(() => alice.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = "home/bob/" }))).ErrorCode.ShouldBe("AccessDenied");
        (await Should.ThrowAsync<AmazonS3Exception>(() => alice.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket }))).ErrorCode.ShouldBe("AccessDenied");
    }

    private static async Task<string> NewBucketAsync(AmazonS3Client s3)
    {
        var bucket = StorageServer.NewBucketName();
        await s3.PutBucketAsync(bucket);
        return bucket;
    }
}
