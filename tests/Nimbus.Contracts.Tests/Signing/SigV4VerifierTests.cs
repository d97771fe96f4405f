using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Signing;
using Shouldly;
using Xunit;

namespace Nimbus.Contracts.Tests.Signing;

public sealed class SigV4VerifierTests
{
    private readonly VerifierFixture _fixture = new();

    [Theory]
    [InlineData("GET", "http://localhost:8080/v1/instances", null)]
    [InlineData("GET", "http://localhost:8080/v1/instances?state=running&name=web%201&tag=a%2Fb&empty=&flag", null)]
    [InlineData("POST", "https://api.nimbus.test/v1/instances", "{\"name\":\"web-1\"}")]
    [InlineData("PUT", "http://[::1]:9000/v1/buckets/my bucket/objects/ü é/(1)!$,;=@:.txt", "payload")]
    [InlineData("DELETE", "http://localhost/v1/instances/i-0123456789abcdef0", null)]
    public async Task Request_signed_by_our_signer_is_accepted(string method, string uri, string? body)
    {
        using HttpRequestMessage request = VerifierFixture.SignedRequest(new HttpMethod(method), uri, body);

        SigV4Result result = await _fixture.VerifyAsync(request, body);

        result.Succeeded.ShouldBeTrue(result.ToString() + "\n" + result.CanonicalRequest);
        result.AccessKeyId.ShouldBe(VerifierFixture.AccessKeyId);
        result.SessionToken.ShouldBeNull();
        result.SignedAt.ShouldBe(VerifierFixture.Now);
        result.IsPresigned.ShouldBeFalse();
        result.ExpiresAt.ShouldBeNull();
        result.ContentSha256.ShouldBe(VerifierFixture.PayloadHash(body));
        result.ErrorCode.ShouldBeNull();
        _fixture.Lookups.ShouldBe(1);
    }

    [Fact]
    public async Task Session_token_header_is_reported()
    {
        using HttpRequestMessage request = VerifierFixture.SignedRequest(
            HttpMethod.Get, "http://localhost/v1/whoami", credentials: VerifierFixture.Credentials with { SessionToken = "sess/ion+token==" });

        SigV4Result result = await _fixture.VerifyAsync(request);

        result.Succeeded.ShouldBeTrue(result.ToString());
        result.SessionToken.ShouldBe("sess/ion+token==");
    }

    [Theory]
    [InlineData(-14)]
    [InlineData(14)]
    public async Task Request_signed_within_the_clock_skew_is_accepted(int minutes)
    {
        using HttpRequestMessage request = VerifierFixture.SignedRequest(HttpMethod.Get, "http://localhost/", signedAt: VerifierFixture.Now.AddMinutes(minutes));

        (await _fixture.VerifyAsync(request)).Succeeded.ShouldBeTrue();
    }

    [Theory]
    [InlineData(-16)]
    [InlineData(16)]
    public async Task Request_signed_sixteen_minutes_away_is_refused_as_expired(int minutes)
    {
        using HttpRequestMessage request = VerifierFixture.SignedRequest(HttpMethod.Get, "http://localhost/", signedAt: VerifierFixture.Now.AddMinutes(minutes));

        SigV4Result result = await _fixture.VerifyAsync(request);

        result.ErrorCode.ShouldBe(ErrorCodes.RequestExpired);
        _fixture.Lookups.ShouldBe(0);
    }

    [Fact]
    public async Task Request_without_signature_is_refused_as_missing_authentication()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://localhost/v1/instances?a=1");

        SigV4Result result = await _fixture.VerifyAsync(request);

        result.Succeeded.ShouldBeFalse();
        result.ErrorCode.ShouldBe(ErrorCodes.MissingAuthentication);
        result.ErrorMessage.ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task Tampered_signed_header_is_refused()
    {
        using HttpRequestMessage request = VerifierFixture.SignedRequest(HttpMethod.Get, "http://localhost/v1/instances");
        request.Headers.Remove("X-Amz-Target");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "Nimbus.DeleteInstance");

        SigV4Result result = await _fixture.VerifyAsync(request);

        result.ErrorCode.ShouldBe(ErrorCodes.SignatureDoesNotMatch);
        result.CanonicalRequest!.ShouldContain("x-amz-target:Nimbus.DeleteInstance");
        result.StringToSign!.ShouldStartWith("AWS4-HMAC-SHA256\n20250601T100000Z\n20250601/local/nimbus/aws4_request\n");
    }

    [Fact]
    public async Task Removed_signed_header_is_refused()
    {
        using HttpRequestMessage request = VerifierFixture.SignedRequest(HttpMethod.Get, "http://localhost/v1/instances");
        request.Headers.Remove("X-Amz-Target");

        SigV4Result result = await _fixture.VerifyAsync(request);

        result.ErrorCode.ShouldBe(ErrorCodes.SignatureDoesNotMatch);
        result.ErrorMessage!.ShouldContain("x-amz-target");
    }

    [Fact]
    public async Task Unsigned_extra_header_does_not_matter()
    {
        using HttpRequestMessage request = VerifierFixture.SignedRequest(HttpMethod.Get, "http://localhost/v1/instances");
        request.Headers.TryAddWithoutValidation("User-Agent", "added-by-a-proxy");

        (await _fixture.VerifyAsync(request)).Succeeded.ShouldBeTrue();
    }

    [Theory]
    [InlineData("http://localhost/v1/instances/i-2")]
    [InlineData("http://localhost/v1/instances/i-1/")]
    [InlineData("http://localhost/v1/Instances/i-1")]
    [InlineData("http://localhost/v1/instances/i-1?force=true")]
    [InlineData("http://localhost/v1/instances/i-1?")]
    [InlineData("http://localhost:81/v1/instances/i-1")]
    [InlineData("http://otherhost/v1/instances/i-1")]
    public async Task Request_sent_to_another_path_query_or_host_than_signed_is_refused(string sentTo)
    {
        using HttpRequestMessage request = VerifierFixture.SignedRequest(HttpMethod.Delete, "http://localhost/v1/instances/i-1");
        request.RequestUri = new Uri(sentTo);
        request.Headers.Host = null;

        SigV4Result result = await _fixture.VerifyAsync(request);

        if (sentTo.EndsWith('?'))
        {
            // An empty query is no query: same canonical request.
            result.Succeeded.ShouldBeTrue();
            return;
        }

        result.ErrorCode.ShouldBe(ErrorCodes.SignatureDoesNotMatch);
    }

    [Fact]
    public async Task Request_with_another_method_than_signed_is_refused()
    {
        using HttpRequestMessage request = VerifierFixture.SignedRequest(HttpMethod.Get, "http://localhost/v1/instances");
        request.Method = HttpMethod.Head;

        (await _fixture.VerifyAsync(request)).ErrorCode.ShouldBe(ErrorCodes.SignatureDoesNotMatch);
    }

    [Fact]
    public async Task Tampered_body_is_refused_with_a_content_hash_message()
    {
        using HttpRequestMessage request = VerifierFixture.SignedRequest(HttpMethod.Post, "http://localhost/v1/instances", "{\"size\":1}");

        SigV4Result result = await _fixture.VerifyAsync(request, "{\"size\":9}");

        result.ErrorCode.ShouldBe(ErrorCodes.SignatureDoesNotMatch);
        result.ErrorMessage!.ShouldContain("content hash");
        _fixture.Lookups.ShouldBe(0);
    }

    [Fact]
    public async Task Tampered_body_with_a_matching_content_hash_header_is_refused()
    {
        const string Body = "{\"size\":9}";
        using HttpRequestMessage request = VerifierFixture.SignedRequest(HttpMethod.Post, "http://localhost/v1/instances", "{\"size\":1}");
        request.Headers.Remove("X-Amz-Content-Sha256");
        request.Headers.TryAddWithoutValidation("X-Amz-Content-Sha256", VerifierFixture.PayloadHash(Body));

        (await _fixture.VerifyAsync(request, Body)).ErrorCode.ShouldBe(ErrorCodes.SignatureDoesNotMatch);
    }

    [Fact]
    public async Task Body_the_server_did_not_buffer_is_reported_for_the_server_to_check()
    {
        using HttpRequestMessage request = VerifierFixture.SignedRequest(HttpMethod.Post, "http://localhost/v1/objects", "streamed");

        SigV4Result result = await _fixture.VerifyAsync(SigV4Request.FromHttpRequestMessage(request, payloadHash: null));

        result.Succeeded.ShouldBeTrue();
        result.ContentSha256.ShouldBe(VerifierFixture.PayloadHash("streamed"));
    }

    [Fact]
    public async Task Request_without_content_hash_header_is_checked_against_the_server_hash()
    {
        // botocore signs non-S3 requests without X-Amz-Content-Sha256: the body hash is the server's.
        const string Body = "{}";
        var headers = new SigV4HeaderCollection { { "Host", "localhost" }, { "X-Amz-Date", "20250601T100000Z" } };
        string canonical = $"POST\n/v1/x\n\nhost:localhost\nx-amz-date:20250601T100000Z\n\nhost;x-amz-date\n{VerifierFixture.PayloadHash(Body)}";
        headers.Add("Authorization", Authorization("host;x-amz-date", canonical));

        SigV4Result signedBody = await _fixture.VerifyAsync(new SigV4Request
        {
            Method = "POST", RawPath = "/v1/x", Headers = headers, PayloadHash = VerifierFixture.PayloadHash(Body),
        });
        SigV4Result otherBody = await _fixture.VerifyAsync(new SigV4Request
        {
            Method = "POST", RawPath = "/v1/x", Headers = headers, PayloadHash = VerifierFixture.PayloadHash("{ }"),
        });
        SigV4Result unknownBody = await _fixture.VerifyAsync(new SigV4Request
        {
            Method = "POST", RawPath = "/v1/x", Headers = headers, PayloadHash = null,
        });

        signedBody.Succeeded.ShouldBeTrue(signedBody.ToString());
        otherBody.ErrorCode.ShouldBe(ErrorCodes.SignatureDoesNotMatch);
        unknownBody.ErrorCode.ShouldBe(ErrorCodes.IncompleteSignature);
    }

    [Fact]
    public async Task Request_dated_by_the_http_date_header_is_accepted()
    {
        var headers = new SigV4HeaderCollection { { "Host", "localhost" }, { "Date", "Sun, 01 Jun 2025 10:00:00 GMT" } };
        string canonical = $"GET\n/\n\ndate:Sun, 01 Jun 2025 10:00:00 GMT\nhost:localhost\n\ndate;host\n{SigV4Signer.EmptyPayloadHash}";
        headers.Add("Authorization", Authorization("date;host", canonical));

        SigV4Result result = await _fixture.VerifyAsync(new SigV4Request
        {
            Method = "GET", RawPath = "/", Headers = headers, PayloadHash = SigV4Signer.EmptyPayloadHash,
        });

        result.Succeeded.ShouldBeTrue(result.ToString() + "\n" + result.CanonicalRequest);
        result.SignedAt.ShouldBe(VerifierFixture.Now);
    }

    [Fact]
    public async Task Wrong_secret_is_refused()
    {
        using HttpRequestMessage request = VerifierFixture.SignedRequest(
            HttpMethod.Get, "http://localhost/", credentials: VerifierFixture.Credentials with { SecretAccessKey = "another-secret" });

        SigV4Result result = await _fixture.VerifyAsync(request);

        result.ErrorCode.ShouldBe(ErrorCodes.SignatureDoesNotMatch);
        result.AccessKeyId.ShouldBe(VerifierFixture.AccessKeyId);
        result.ErrorMessage!.ShouldNotContain(VerifierFixture.Secret);
    }

    [Fact]
    public async Task Unknown_access_key_is_refused()
    {
        using HttpRequestMessage request = VerifierFixture.SignedRequest(
            HttpMethod.Get, "http://localhost/", credentials: new SigV4Credentials("NKIDUNKNOWN", VerifierFixture.Secret));

        SigV4Result result = await _fixture.VerifyAsync(request);

        result.ErrorCode.ShouldBe(ErrorCodes.InvalidAccessKeyId);
        result.AccessKeyId.ShouldBe("NKIDUNKNOWN");
        _fixture.LookedUp.ShouldBe("NKIDUNKNOWN");
    }

    [Theory]
    [InlineData("eu-west-1", "nimbus")]
    [InlineData("local", "s3")]
    [InlineData("LOCAL", "nimbus")]
    public async Task Credential_scoped_to_another_region_or_service_is_refused(string region, string service)
    {
        using HttpRequestMessage request = VerifierFixture.SignedRequest(HttpMethod.Get, "http://localhost/", region: region, service: service);

        SigV4Result result = await _fixture.VerifyAsync(request);

        result.ErrorCode.ShouldBe(ErrorCodes.SignatureDoesNotMatch);
        result.ErrorMessage!.ShouldContain("20250601/local/nimbus/aws4_request");
        _fixture.Lookups.ShouldBe(0);
    }

    [Theory]
    [InlineData("eu-west-1", "nimbus", "eu-west-1")]
    [InlineData("LOCAL", "nimbus", "LOCAL")]
    [InlineData("local", "s3", null)]
    [InlineData("eu-west-1", "s3", null)]
    [InlineData("eu_west<1>", "nimbus", null)]
    public async Task Only_a_scope_for_the_right_service_in_another_region_names_that_region(string region, string service, string? named)
    {
        using HttpRequestMessage request = VerifierFixture.SignedRequest(HttpMethod.Get, "http://localhost/", region: region, service: service);

        SigV4Result result = await _fixture.VerifyAsync(request);

        result.ErrorCode.ShouldBe(ErrorCodes.SignatureDoesNotMatch);
        result.ScopeRegion.ShouldBe(named);
    }

    [Fact]
    public async Task Unsigned_payload_is_refused_outside_S3_mode_and_accepted_in_it()
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "http://localhost/bucket/key");
        SigV4Signer.Sign(request, VerifierFixture.Credentials, "local", "s3", VerifierFixture.Now, SigV4Signer.UnsignedPayload);
        var s3 = new VerifierFixture(s3Mode: true, service: "s3");
        var notS3 = new VerifierFixture(s3Mode: false, service: "s3");

        SigV4Result inS3Mode = await s3.VerifyAsync(request, "any body");
        SigV4Result outsideS3Mode = await notS3.VerifyAsync(request, "any body");

        inS3Mode.Succeeded.ShouldBeTrue(inS3Mode.ToString());
        inS3Mode.ContentSha256.ShouldBe(SigV4Signer.UnsignedPayload);
        outsideS3Mode.ErrorCode.ShouldBe(ErrorCodes.SignatureDoesNotMatch);
        outsideS3Mode.ErrorMessage!.ShouldContain("content hash");
    }

    [Fact]
    public async Task S3_mode_signs_the_path_as_received_without_normalizing_it()
    {
        using HttpRequestMessage request = VerifierFixture.SignedRequest(HttpMethod.Get, "http://localhost/bucket//a%2Fb/./c", service: "s3");
        var s3 = new VerifierFixture(s3Mode: true, service: "s3");

        SigV4Result result = await s3.VerifyAsync(request);

        result.Succeeded.ShouldBeTrue(result.ToString() + "\n" + result.CanonicalRequest);
    }

    [Fact]
    public async Task Lookup_may_complete_asynchronously()
    {
        using HttpRequestMessage request = VerifierFixture.SignedRequest(HttpMethod.Get, "http://localhost/");
        var verifier = new SigV4Verifier(new SigV4VerifierOptions { TimeProvider = new FixedTimeProvider(VerifierFixture.Now) });

        SigV4Result result = await verifier.VerifyAsync(
            VerifierFixture.ToRequest(request, null),
            async (id, ct) =>
            {
                await Task.Yield();
                return id == VerifierFixture.AccessKeyId ? VerifierFixture.Secret : null;
            },
            CancellationToken.None);

        result.Succeeded.ShouldBeTrue();
    }

    [Fact]
    public async Task Header_and_query_signature_together_are_refused()
    {
        using HttpRequestMessage request = VerifierFixture.SignedRequest(HttpMethod.Get, "http://localhost/?X-Amz-Algorithm=AWS4-HMAC-SHA256");

        (await _fixture.VerifyAsync(request)).ErrorCode.ShouldBe(ErrorCodes.IncompleteSignature);
    }

    [Fact]
    public async Task Request_without_a_date_is_refused_as_incomplete()
    {
        using HttpRequestMessage request = VerifierFixture.SignedRequest(HttpMethod.Get, "http://localhost/");
        request.Headers.Remove("X-Amz-Date");

        (await _fixture.VerifyAsync(request)).ErrorCode.ShouldBe(ErrorCodes.IncompleteSignature);
    }

    [Fact]
    public async Task Credential_date_other_than_the_request_date_is_refused_as_incomplete()
    {
        using HttpRequestMessage request = VerifierFixture.SignedRequest(HttpMethod.Get, "http://localhost/");
        string authorization = request.Headers.GetValues("Authorization").Single().Replace("/20250601/", "/20250602/", StringComparison.Ordinal);
        request.Headers.Remove("Authorization");
        request.Headers.TryAddWithoutValidation("Authorization", authorization);

        (await _fixture.VerifyAsync(request)).ErrorCode.ShouldBe(ErrorCodes.IncompleteSignature);
    }

    [Theory]
    [InlineData("")]
    [InlineData("AWS4-HMAC-SHA256")]
    [InlineData("Bearer eyJhbGciOiJIUzI1NiJ9")]
    [InlineData("AWS4-HMAC-SHA1 Credential=NKIDEXAMPLE0001/20250601/local/nimbus/aws4_request, SignedHeaders=host, Signature=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("AWS4-HMAC-SHA256 Credential=NKIDEXAMPLE0001/20250601/local/nimbus/aws4_request, SignedHeaders=host")]
    [InlineData("AWS4-HMAC-SHA256 Credential=NKIDEXAMPLE0001/20250601/local/nimbus/aws4_request, Signature=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("AWS4-HMAC-SHA256 SignedHeaders=host, Signature=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("AWS4-HMAC-SHA256 Credential=NKIDEXAMPLE0001/20250601/local/nimbus/aws4_request, SignedHeaders=host, Signature=000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("AWS4-HMAC-SHA256 Credential=NKIDEXAMPLE0001/20250601/local/nimbus/aws4_request, SignedHeaders=host, Signature=g000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("AWS4-HMAC-SHA256 Credential=NKIDEXAMPLE0001/20250601/local/nimbus, SignedHeaders=host, Signature=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("AWS4-HMAC-SHA256 Credential=NKIDEXAMPLE0001/20250601/local/nimbus/aws4_request/x, SignedHeaders=host, Signature=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("AWS4-HMAC-SHA256 Credential=NKIDEXAMPLE0001/2025061/local/nimbus/aws4_request, SignedHeaders=host, Signature=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("AWS4-HMAC-SHA256 Credential=NKIDEXAMPLE0001/2025O601/local/nimbus/aws4_request, SignedHeaders=host, Signature=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("AWS4-HMAC-SHA256 Credential=NKIDEXAMPLE0001/20250601//nimbus/aws4_request, SignedHeaders=host, Signature=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("AWS4-HMAC-SHA256 Credential=NKIDEXAMPLE0001/20250601/local/nimbus/aws5_request, SignedHeaders=host, Signature=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("AWS4-HMAC-SHA256 Credential=/20250601/local/nimbus/aws4_request, SignedHeaders=host, Signature=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("AWS4-HMAC-SHA256 Credential=NKIDEXAMPLE0001/20250601/local/nimbus/aws4_request, SignedHeaders=x-amz-date, Signature=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("AWS4-HMAC-SHA256 Credential=NKIDEXAMPLE0001/20250601/local/nimbus/aws4_request, SignedHeaders=, Signature=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("AWS4-HMAC-SHA256 Credential=NKIDEXAMPLE0001/20250601/local/nimbus/aws4_request, SignedHeaders=host;;x-amz-date, Signature=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("AWS4-HMAC-SHA256 Credential=NKIDEXAMPLE0001/20250601/local/nimbus/aws4_request, SignedHeaders=host;x amz, Signature=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("AWS4-HMAC-SHA256 Credential=NKIDEXAMPLE0001/20250601/local/nimbus/aws4_request, SignedHeaders=host, Signature=0000000000000000000000000000000000000000000000000000000000000000, Signature=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("AWS4-HMAC-SHA256 Credential=NKIDEXAMPLE0001/20250601/local/nimbus/aws4_request, SignedHeaders=host, Signature=0000000000000000000000000000000000000000000000000000000000000000, Extra=1")]
    [InlineData("AWS4-HMAC-SHA256 Credential=NKIDEXAMPLE0001/20250601/local/nimbus/aws4_request SignedHeaders=host Signature=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("AWS4-HMAC-SHA256 Credential=NKIDEXAMPLE0001/20250601/local/nimbus/aws4_request,, SignedHeaders=host, Signature=0000000000000000000000000000000000000000000000000000000000000000")]
    public async Task Malformed_authorization_header_is_refused_as_incomplete(string authorization)
    {
        using HttpRequestMessage request = VerifierFixture.SignedRequest(HttpMethod.Get, "http://localhost/");
        request.Headers.Remove("Authorization");
        request.Headers.TryAddWithoutValidation("Authorization", authorization);

        SigV4Result result = await _fixture.VerifyAsync(request);

        result.ErrorCode.ShouldBe(ErrorCodes.IncompleteSignature, authorization);
        _fixture.Lookups.ShouldBe(0);
    }

    [Fact]
    public async Task Two_authorization_headers_are_refused_as_incomplete()
    {
        using HttpRequestMessage request = VerifierFixture.SignedRequest(HttpMethod.Get, "http://localhost/");
        var headers = new SigV4HeaderCollection();
        foreach (KeyValuePair<string, string> header in (SigV4HeaderCollection)VerifierFixture.ToRequest(request, null).Headers)
        {
            headers.Add(header.Key, header.Value);
        }

        headers.Add("Authorization", request.Headers.GetValues("Authorization").Single());

        SigV4Result result = await _fixture.VerifyAsync(new SigV4Request { Method = "GET", RawPath = "/", Headers = headers, PayloadHash = SigV4Signer.EmptyPayloadHash });

        result.ErrorCode.ShouldBe(ErrorCodes.IncompleteSignature);
    }

    private static string Authorization(string signedHeaders, string canonicalRequest) =>
        $"AWS4-HMAC-SHA256 Credential={VerifierFixture.AccessKeyId}/20250601/local/nimbus/aws4_request, SignedHeaders={signedHeaders}, Signature="
        + ReferenceSigV4.Signature(VerifierFixture.Secret, "20250601T100000Z", "local", "nimbus", canonicalRequest);
}
