using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Signing;
using Shouldly;
using Xunit;

namespace Nimbus.Contracts.Tests.Signing;

public sealed class SigV4PresignTests
{
    private readonly VerifierFixture _fixture = new();

    [Theory]
    [InlineData("GET", "http://localhost:8080/v1/buckets/b/objects/report.pdf")]
    [InlineData("GET", "https://nimbus.test/v1/objects/ü ñ (1).txt?versionId=v%2F1&response-content-type=text%2Fplain")]
    [InlineData("PUT", "http://127.0.0.1:9000/v1/uploads/part?partNumber=2&uploadId=a%2Bb")]
    public async Task URL_presigned_by_our_signer_is_accepted(string method, string uri)
    {
        Uri presigned = Presign(new HttpMethod(method), uri, TimeSpan.FromMinutes(10));

        SigV4Result result = await _fixture.VerifyAsync(Request(method, presigned));

        result.Succeeded.ShouldBeTrue(result.ToString() + "\n" + result.CanonicalRequest);
        result.IsPresigned.ShouldBeTrue();
        result.AccessKeyId.ShouldBe(VerifierFixture.AccessKeyId);
        result.SignedAt.ShouldBe(VerifierFixture.Now);
        result.ExpiresAt.ShouldBe(VerifierFixture.Now.AddMinutes(10));
        result.ContentSha256.ShouldBe(SigV4Signer.UnsignedPayload);
    }

    [Fact]
    public async Task URL_presigned_by_our_signer_for_S3_is_accepted_in_S3_mode()
    {
        var s3 = new VerifierFixture(s3Mode: true, service: "s3");
        Uri presigned = SigV4Signer.Presign(
            HttpMethod.Get, new Uri("http://localhost/bucket/a//b(1).txt"), VerifierFixture.Credentials, "local", "s3", VerifierFixture.Now, TimeSpan.FromHours(1));

        (await s3.VerifyAsync(Request("GET", presigned))).Succeeded.ShouldBeTrue();
    }

    [Fact]
    public async Task Session_token_query_parameter_is_reported()
    {
        Uri presigned = SigV4Signer.Presign(
            HttpMethod.Get,
            new Uri("http://localhost/v1/x"),
            VerifierFixture.Credentials with { SessionToken = "tok/en+==" },
            "local",
            "nimbus",
            VerifierFixture.Now,
            TimeSpan.FromMinutes(5));

        SigV4Result result = await _fixture.VerifyAsync(Request("GET", presigned));

        result.Succeeded.ShouldBeTrue(result.ToString());
        result.SessionToken.ShouldBe("tok/en+==");
    }

    [Fact]
    public async Task Presigned_URL_is_accepted_until_it_expires_and_refused_after()
    {
        Uri presigned = Presign(HttpMethod.Get, "http://localhost/v1/x", TimeSpan.FromSeconds(300));

        _fixture.Clock.Now = VerifierFixture.Now.AddSeconds(300);
        SigV4Result lastSecond = await _fixture.VerifyAsync(Request("GET", presigned));
        _fixture.Clock.Now = VerifierFixture.Now.AddSeconds(301);
        SigV4Result expired = await _fixture.VerifyAsync(Request("GET", presigned));

        lastSecond.Succeeded.ShouldBeTrue();
        expired.ErrorCode.ShouldBe(ErrorCodes.RequestExpired);
        expired.ExpiresOutOfRange.ShouldBeFalse();
    }

    [Fact]
    public async Task Presigned_URL_signed_sixteen_minutes_in_the_future_is_refused()
    {
        Uri presigned = SigV4Signer.Presign(
            HttpMethod.Get, new Uri("http://localhost/v1/x"), VerifierFixture.Credentials, "local", "nimbus", VerifierFixture.Now.AddMinutes(16), TimeSpan.FromHours(1));

        (await _fixture.VerifyAsync(Request("GET", presigned))).ErrorCode.ShouldBe(ErrorCodes.RequestExpired);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("604801")]
    [InlineData("-1")]
    public async Task X_Amz_Expires_outside_one_second_to_seven_days_is_refused_as_expired(string expires)
    {
        Uri presigned = Presign(HttpMethod.Get, "http://localhost/v1/x", TimeSpan.FromSeconds(300));
        var edited = new Uri(presigned.ToString().Replace("X-Amz-Expires=300", "X-Amz-Expires=" + expires, StringComparison.Ordinal));

        SigV4Result result = await _fixture.VerifyAsync(Request("GET", edited));

        result.ErrorCode.ShouldBe(ErrorCodes.RequestExpired);
        result.ExpiresOutOfRange.ShouldBeTrue();
        _fixture.Lookups.ShouldBe(0);
    }

    [Theory]
    [InlineData("X-Amz-Expires=300", "X-Amz-Expires=3000")]
    [InlineData("/v1/x", "/v1/y")]
    [InlineData("?", "?extra=1&")]
    [InlineData("X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=host%3Bx-amz-date")]
    public async Task Tampered_presigned_URL_is_refused(string from, string to)
    {
        Uri presigned = Presign(HttpMethod.Get, "http://localhost/v1/x", TimeSpan.FromSeconds(300));
        var edited = new Uri(presigned.ToString().Replace(from, to, StringComparison.Ordinal));

        SigV4Result result = await _fixture.VerifyAsync(Request("GET", edited, ("X-Amz-Date", "20250601T100000Z")));

        result.Succeeded.ShouldBeFalse();
        result.ErrorCode.ShouldBe(ErrorCodes.SignatureDoesNotMatch);
    }

    [Fact]
    public async Task Presigned_URL_used_with_another_method_is_refused()
    {
        Uri presigned = Presign(HttpMethod.Get, "http://localhost/v1/x", TimeSpan.FromSeconds(300));

        (await _fixture.VerifyAsync(Request("DELETE", presigned))).ErrorCode.ShouldBe(ErrorCodes.SignatureDoesNotMatch);
    }

    [Theory]
    [InlineData("X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Algorithm=AWS4-HMAC-SHA1")]
    [InlineData("&X-Amz-Credential=", "&X-Amz-Cred=")]
    [InlineData("&X-Amz-Date=", "&X-Amz-Date=x&X-Amz-Date=")]
    [InlineData("&X-Amz-Date=20250601T100000Z", "&X-Amz-Date=2025-06-01T10:00:00Z")]
    [InlineData("&X-Amz-Expires=300", "&X-Amz-Expires=five")]
    [InlineData("&X-Amz-SignedHeaders=host", "&X-Amz-SignedHeaders=x-amz-date")]
    [InlineData("&X-Amz-Signature=", "&X-Amz-Signature=zz")]
    [InlineData("%2F20250601%2F", "%2F20250602%2F")]
    public async Task Malformed_presigned_URL_is_refused_as_incomplete(string from, string to)
    {
        Uri presigned = Presign(HttpMethod.Get, "http://localhost/v1/x", TimeSpan.FromSeconds(300));
        var edited = new Uri(presigned.ToString().Replace(from, to, StringComparison.Ordinal));

        SigV4Result result = await _fixture.VerifyAsync(Request("GET", edited));

        result.ErrorCode.ShouldBe(ErrorCodes.IncompleteSignature, edited.Query);
    }

    private static Uri Presign(HttpMethod method, string uri, TimeSpan expires) =>
        SigV4Signer.Presign(method, new Uri(uri), VerifierFixture.Credentials, "local", "nimbus", VerifierFixture.Now, expires);

    private static SigV4Request Request(string method, Uri uri, params (string Name, string Value)[] extraHeaders)
    {
        var headers = new SigV4HeaderCollection { { "Host", SigV4Signer.HostHeader(uri) } };
        foreach ((string name, string value) in extraHeaders)
        {
            headers.Add(name, value);
        }

        return new SigV4Request
        {
            Method = method,
            RawPath = uri.AbsolutePath,
            RawQuery = uri.Query.TrimStart('?'),
            Headers = headers,
            PayloadHash = SigV4Signer.EmptyPayloadHash,
        };
    }
}
