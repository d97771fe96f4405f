using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.DependencyInjection;
using Nimbus.Contracts.Audit;
using Nimbus.Contracts.Signing;
using Nimbus.Core.Audit;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Storage.Tests;

public sealed class SecurityAndDurabilityTests
{
    [Fact]
    public async Task Bad_secrets_unsigned_requests_and_users_without_policies_are_refused_and_audited()
    {
        await using var server = await NimbusServer.StartAsync();
        using var admin = StorageServer.CreateClient(server);
        var bucket = StorageServer.NewBucketName();
        await admin.PutBucketAsync(bucket);

        using var forged = StorageServer.CreateClient(server, secret: "not-the-secret-0000000000000000000000000");
        var mismatch = await Should.ThrowAsync<AmazonS3Exception>(() => forged.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket }));
        mismatch.ErrorCode.ShouldBe("SignatureDoesNotMatch");
        mismatch.StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        using var unknown = StorageServer.CreateClient(server, accessKeyId: "NKIAUNKNOWNUNKNOWN00");
        (await Should.ThrowAsync<AmazonS3Exception>(() => unknown.ListBucketsAsync())).ErrorCode.ShouldBe("InvalidAccessKeyId");

        using var anonymous = new HttpClient();
        var response = await anonymous.GetAsync(new Uri(server.S3Endpoint, $"/{bucket}?list-type=2"));
        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await response.Content.ReadAsStringAsync()).ShouldContain("<Code>AccessDenied</Code>");
        response.Headers.GetValues("x-amz-request-id").Single().ShouldNotBeNullOrEmpty();

        // A user of the admin's account with no policy attached: authenticated, then denied by IAM.
        using var api = server.SignedHttpClient();
        (await api.PostAsync("/v1/iam/users", new StringContent("""{"name":"nopolicy"}""", System.Text.Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        var keyResponse = await api.PostAsync("/v1/iam/access-keys", new StringContent("""{"userName":"nopolicy"}""", System.Text.Encoding.UTF8, "application/json"));
        keyResponse.EnsureSuccessStatusCode();
        using var key = System.Text.Json.JsonDocument.Parse(await keyResponse.Content.ReadAsStringAsync());
        var id = key.RootElement.GetProperty("accessKey").GetProperty("accessKeyId").GetString()!;
        var secret = key.RootElement.GetProperty("secretAccessKey").GetString()!;
        using var user = StorageServer.CreateClient(server, id, secret);
        var denied = await Should.ThrowAsync<AmazonS3Exception>(() => user.GetObjectAsync(bucket, "k"));
        denied.ErrorCode.ShouldBe("AccessDenied");

        var trail = server.Host.Services.GetRequiredService<AuditTrail>();
        await trail.FlushAsync(CancellationToken.None);
        var page = await trail.Log.QueryAsync(new AuditQuery { PageSize = 500 }, CancellationToken.None);
        page.Items.ShouldContain(e => e.Action == "s3:GetObject" && e.Outcome == AuditOutcomes.Denied && e.AccessKeyId == id && e.Path == $"/{bucket}/k");
        page.Items.ShouldContain(e => e.Action == "s3:CreateBucket" && e.Outcome == AuditOutcomes.Allowed && e.Path == $"/{bucket}");
        page.Items.ShouldContain(e => e.ErrorCode == "SignatureDoesNotMatch" && e.Outcome == AuditOutcomes.Denied);
    }

    [Fact]
    public async Task A_request_signed_for_another_region_is_told_the_right_region()
    {
        await using var server = await NimbusServer.StartAsync();
        using var admin = StorageServer.CreateClient(server);
        var bucket = StorageServer.NewBucketName();
        await admin.PutBucketAsync(bucket);
        using var http = new HttpClient();
        var list = new Uri(server.S3Endpoint, $"/{bucket}?list-type=2");

        // Header form, as S3 answers it: 400 AuthorizationHeaderMalformed with the expected region in <Region>.
        var headerBody = await SendSignedAsync(http, list, server.AdminCredentials, "us-east-1", HttpStatusCode.BadRequest);
        headerBody.ShouldContain("<Code>AuthorizationHeaderMalformed</Code>");
        headerBody.ShouldContain("the region 'us-east-1' is wrong; expecting 'local'");
        headerBody.ShouldContain("<Region>local</Region>");

        // Presigned form: AuthorizationQueryParametersError, the same region named.
        var url = SigV4Signer.Presign(HttpMethod.Get, new Uri(server.S3Endpoint, $"/{bucket}/k"), server.AdminCredentials, "eu-west-1", "s3", DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));
        using var presignedResponse = await http.GetAsync(url);
        presignedResponse.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var presignedBody = await presignedResponse.Content.ReadAsStringAsync();
        presignedBody.ShouldContain("<Code>AuthorizationQueryParametersError</Code>");
        presignedBody.ShouldContain("<Region>local</Region>");

        // The right region with a wrong secret is still a plain signature mismatch, with no region hint.
        var forgedBody = await SendSignedAsync(http, list, new(server.Admin.AccessKeyId, "not-the-secret-0000000000000000000000000"), "local", HttpStatusCode.Forbidden);
        forgedBody.ShouldContain("<Code>SignatureDoesNotMatch</Code>");
        forgedBody.ShouldNotContain("<Region>");
    }

    /// <summary>Sends a GET signed in its Authorization header for <paramref name="region"/>; returns the error body after checking the status.</summary>
    private static async Task<string> SendSignedAsync(HttpClient http, Uri uri, SigV4Credentials credentials, string region, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        SigV4Signer.Sign(request, credentials, region, "s3", DateTimeOffset.UtcNow, SigV4Signer.EmptyPayloadHash);
        using var response = await http.SendAsync(request);
        response.StatusCode.ShouldBe(expected);
        return await response.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task Presigned_urls_get_and_put_until_they_expire()
    {
        await using var server = await NimbusServer.StartAsync();
        using var s3 = StorageServer.CreateClient(server);
        var bucket = StorageServer.NewBucketName();
        await s3.PutBucketAsync(bucket);
        using var http = new HttpClient();

        var putUrl = await s3.GetPreSignedURLAsync(new GetPreSignedUrlRequest { BucketName = bucket, Key = "shared file.txt", Verb = HttpVerb.PUT, Protocol = Protocol.HTTP, Expires = DateTime.UtcNow.AddMinutes(5) });
        (await http.PutAsync(putUrl, new ByteArrayContent("presigned"u8.ToArray()))).StatusCode.ShouldBe(HttpStatusCode.OK);

        var getUrl = await s3.GetPreSignedURLAsync(new GetPreSignedUrlRequest { BucketName = bucket, Key = "shared file.txt", Verb = HttpVerb.GET, Protocol = Protocol.HTTP, Expires = DateTime.UtcNow.AddMinutes(5) });
        (await http.GetStringAsync(getUrl)).ShouldBe("presigned");

        var expired = await s3.GetPreSignedURLAsync(new GetPreSignedUrlRequest { BucketName = bucket, Key = "shared file.txt", Verb = HttpVerb.GET, Protocol = Protocol.HTTP, Expires = DateTime.UtcNow.AddSeconds(1) });
        var late = await Poll.UntilAsync(() => http.GetAsync(expired), r => r.StatusCode != HttpStatusCode.OK, what: "the presigned URL to expire");
        late.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await late.Content.ReadAsStringAsync()).ShouldContain("<Code>AccessDenied</Code>");

        // A validity past 7 days is a malformed URL in S3 (400), not an expired one; the SDK refuses to make one, so
        // the URL is edited (the expiry is checked before the signature).
        var week = new Uri(System.Text.RegularExpressions.Regex.Replace(getUrl, "X-Amz-Expires=[0-9]+", "X-Amz-Expires=604801"));
        week.ToString().ShouldContain("X-Amz-Expires=604801");
        var tooLong = await http.GetAsync(week);
        tooLong.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await tooLong.Content.ReadAsStringAsync()).ShouldContain("<Code>AuthorizationQueryParametersError</Code>");
    }

    [Fact]
    public async Task Data_files_of_replaced_objects_are_removed_after_the_answer_and_stay_removed_across_a_restart()
    {
        // The index committer answers first and leaves the unlinks to a sync thread; the next commit forgets them.
        using var directory = new TempDirectory("nimbus-storage");
        var bucket = StorageServer.NewBucketName();
        var data = Path.Combine(directory.Path, "storage", "data");
        byte[] Body(int i) => [.. RandomNumberGenerator.GetBytes(1024 * 1024 - i), (byte)i];
        byte[] lastSequential = [];
        var lastParallel = new Dictionary<string, byte[]>();
        await using (var first = await NimbusServer.StartAsync(dataDirectory: directory.Path))
        {
            using var s3 = StorageServer.CreateClient(first);
            await s3.PutBucketAsync(bucket);
            for (var i = 0; i < 5; i++)
            {
                lastSequential = Body(i);
                await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "again", InputStream = new MemoryStream(lastSequential) });
            }

            // Eight writers replacing each other's objects at once: their commits and unlinks share batches.
            await Task.WhenAll(Enumerable.Range(0, 8).Select(async w =>
            {
                for (var i = 0; i < 3; i++)
                {
                    var body = Body(w * 3 + i);
                    await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = $"w{w % 2}", InputStream = new MemoryStream(body) });
                }
            }));
            foreach (var key in new[] { "w0", "w1" })
            {
                using var get = await s3.GetObjectAsync(bucket, key);
                using var copy = new MemoryStream();
                await get.ResponseStream.CopyToAsync(copy);
                lastParallel[key] = copy.ToArray();
            }

            await Poll.UntilAsync(
                () => Task.FromResult(Directory.EnumerateFiles(data, "*", SearchOption.AllDirectories).Count()),
                count => count == 3,
                what: "the data files of the replaced objects to be unlinked");
        }

        await using var second = await NimbusServer.StartAsync(dataDirectory: directory.Path);
        using var again = StorageServer.CreateClient(second);
        foreach (var (key, expected) in lastParallel.Append(new("again", lastSequential)))
        {
            using var get = await again.GetObjectAsync(bucket, key);
            using var copy = new MemoryStream();
            await get.ResponseStream.CopyToAsync(copy);
            copy.ToArray().ShouldBe(expected);
        }

        Directory.EnumerateFiles(data, "*", SearchOption.AllDirectories).Count().ShouldBe(3);
    }

    [Fact]
    public async Task Objects_survive_a_restart_and_a_corrupted_data_file_is_never_served()
    {
        using var directory = new TempDirectory("nimbus-storage");
        var body = RandomNumberGenerator.GetBytes(2 * 1024 * 1024 + 5);
        var bucket = StorageServer.NewBucketName();
        await using (var first = await NimbusServer.StartAsync(dataDirectory: directory.Path))
        {
            using var s3 = StorageServer.CreateClient(first);
            await s3.PutBucketAsync(bucket);
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "keep", InputStream = new MemoryStream(body) });
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "rot", InputStream = new MemoryStream(body) });
        }

        // Garbage a crash could leave: an interrupted upload and a data file no object references.
        var storage = Path.Combine(directory.Path, "storage");
        await File.WriteAllBytesAsync(Path.Combine(storage, "tmp", "00000000000000000000000000000000.tmp"), [1, 2, 3]);
        var orphan = Path.Combine(storage, "data", "ff", "ffffffffffffffffffffffffffffffff");
        await File.WriteAllBytesAsync(orphan, [4, 5, 6]);
        File.SetLastWriteTimeUtc(orphan, DateTime.UtcNow.AddMinutes(-5));

        await using var second = await NimbusServer.StartAsync(dataDirectory: directory.Path);
        using var again = StorageServer.CreateClient(second);
        Directory.EnumerateFiles(Path.Combine(storage, "tmp")).ShouldBeEmpty();
        await Poll.UntilAsync(() => Task.FromResult(File.Exists(orphan)), exists => !exists, what: "the orphan sweep to remove the unreferenced data file");

        using (var get = await again.GetObjectAsync(bucket, "keep"))
        {
            using var copy = new MemoryStream();
            await get.ResponseStream.CopyToAsync(copy);
            copy.ToArray().ShouldBe(body);
        }

        // Both objects hold the same bytes; flip one byte in the second block of one of their files.
        var files = Directory.EnumerateFiles(Path.Combine(storage, "data"), "*", SearchOption.AllDirectories).ToList();
        files.Count.ShouldBe(2);
        await using (var stream = new FileStream(files[0], FileMode.Open, FileAccess.ReadWrite))
        {
            stream.Position = 1024 * 1024 + 10;
            var b = stream.ReadByte();
            stream.Position = 1024 * 1024 + 10;
            stream.WriteByte((byte)(b ^ 0xFF));
        }

        var scrub = await second.Host.Services.GetRequiredService<StorageRuntime>().ScrubAsync(CancellationToken.None);
        scrub.ObjectsChecked.ShouldBe(2);
        scrub.CorruptObjects.ShouldBe(1);

        var refused = 0;
        foreach (var key in new[] { "keep", "rot" })
        {
            try
            {
                using var get = await again.GetObjectAsync(bucket, key);
                using var copy = new MemoryStream();
                await get.ResponseStream.CopyToAsync(copy);
                copy.ToArray().ShouldBe(body);
            }
            catch (AmazonS3Exception ex)
            {
                (ex.StatusCode, ex.ErrorCode).ShouldBe((HttpStatusCode.Forbidden, "InvalidObjectState"));
                refused++;
            }
        }

        refused.ShouldBe(1);
    }

    [Fact]
    public async Task A_corrupt_block_detected_during_a_get_cuts_the_response_instead_of_sending_it()
    {
        await using var server = await NimbusServer.StartAsync();
        using var s3 = StorageServer.CreateClient(server);
        var bucket = StorageServer.NewBucketName();
        await s3.PutBucketAsync(bucket);
        var body = RandomNumberGenerator.GetBytes(3 * 1024 * 1024);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k", InputStream = new MemoryStream(body) });
        var file = Directory.EnumerateFiles(Path.Combine(server.DataDirectory, "storage", "data"), "*", SearchOption.AllDirectories).Single();
        await using (var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite))
        {
            stream.Position = (2 * 1024 * 1024) + 1;
            stream.WriteByte(0x00);
            stream.Position = (2 * 1024 * 1024) + 2;
            stream.WriteByte(0xFF);
        }

        using var http = new HttpClient(new SigningHandler(server.AdminCredentials, "local", "s3"));
        var received = 0L;
        var failed = false;
        try
        {
            using var response = await http.GetAsync(new Uri(server.S3Endpoint, $"/{bucket}/k"), HttpCompletionOption.ResponseHeadersRead);
            await using var stream = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[65536];
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0)
            {
                received += read;
            }
        }
        catch (HttpRequestException)
        {
            failed = true;
        }
        catch (IOException)
        {
            failed = true;
        }

        failed.ShouldBeTrue();
        received.ShouldBeLessThanOrEqualTo(2 * 1024 * 1024);
        var after = await Should.ThrowAsync<AmazonS3Exception>(() => s3.GetObjectAsync(bucket, "k"));
        (after.StatusCode, after.ErrorCode).ShouldBe((HttpStatusCode.Forbidden, "InvalidObjectState"));
    }
}
