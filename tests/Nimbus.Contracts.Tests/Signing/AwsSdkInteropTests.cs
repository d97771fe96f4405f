using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.Runtime.Internal.Auth;
using Nimbus.Contracts.Signing;
using Shouldly;
using Xunit;

namespace Nimbus.Contracts.Tests.Signing;

/// <summary>Requests signed by AWSSDK.Core's own signers (AWS4Signer, AWS4PreSignedUrlSigner) pass our verifier.</summary>
public sealed class AwsSdkInteropTests
{
    private const string AccessKeyId = "NIMBUSKEY1";
    private const string Secret = "nimbus/secret+KEY=";

    [Theory]
    [InlineData("POST", "/v1/instances", "{\"name\":\"web-1\"}")]
    [InlineData("GET", "/v1/instances/i-123", null)]
    [InlineData("PUT", "/v1/buckets/my bucket/objects/ü-é ~!$'()*+,;=:@", "hello")]
    [InlineData("DELETE", "/v1/a/./b/../c//d", null)]
    public async Task Request_signed_by_the_AWS_SDK_is_accepted(string method, string path, string? body)
    {
        DefaultRequest request = SdkRequest(method, path, body);
        request.Parameters["filter"] = "state=running & name=a/b!*'()~";
        request.Parameters["max-results"] = "10";
        request.UseQueryString = true;
        request.Headers["X-Amz-Target"] = "Nimbus.Test";

        SignWithSdk(request, "local", "nimbus");
        SigV4Result result = await NimbusVerifier(s3Mode: false).VerifyAsync(ToSigV4Request(request), Lookup, CancellationToken.None);

        result.Succeeded.ShouldBeTrue(result.ToString() + "\n" + result.CanonicalRequest);
        result.AccessKeyId.ShouldBe(AccessKeyId);
        result.IsPresigned.ShouldBeFalse();
    }

    [Fact]
    public async Task Request_signed_by_the_AWS_SDK_with_a_session_token_reports_the_token()
    {
        DefaultRequest request = SdkRequest("GET", "/v1/whoami", null);
        request.Headers["X-Amz-Security-Token"] = "session/token+1==";

        SignWithSdk(request, "local", "nimbus");
        SigV4Result result = await NimbusVerifier(s3Mode: false).VerifyAsync(ToSigV4Request(request), Lookup, CancellationToken.None);

        result.Succeeded.ShouldBeTrue(result.ToString());
        result.SessionToken.ShouldBe("session/token+1==");
    }

    [Theory]
    [InlineData("/my-bucket/photos/2024/ü ñ (1).jpg")]
    [InlineData("/my-bucket/a//b/../c")]
    public async Task S3_request_signed_by_the_AWS_SDK_is_accepted_in_S3_mode(string path)
    {
        DefaultRequest request = SdkRequest("PUT", path, "object body");

        SignWithSdk(request, "local", "s3");
        SigV4Result result = await NimbusVerifier(s3Mode: true, service: "s3").VerifyAsync(ToSigV4Request(request), Lookup, CancellationToken.None);

        result.Succeeded.ShouldBeTrue(result.ToString() + "\n" + result.CanonicalRequest);
    }

    [Theory]
    [InlineData("nimbus", false)]
    [InlineData("s3", true)]
    public async Task URL_presigned_by_the_AWS_SDK_is_accepted(string service, bool s3Mode)
    {
        DefaultRequest request = SdkRequest("GET", "/my-bucket/report 2024.pdf", null);
        request.Parameters["X-Amz-Expires"] = "300";
        request.Parameters["versionId"] = "v/1";

        AWS4SigningResult signing = AWS4PreSignedUrlSigner.SignRequest(
            request, new AwsSdkClientConfig("local", service), null, AccessKeyId, Secret, service, "local");
        var presigned = new Uri(AmazonServiceClient.ComposeUrl(request) + "&" + signing.ForQueryParameters);
        var headers = new SigV4HeaderCollection { { "Host", presigned.Authority } };
        var sigV4Request = new SigV4Request
        {
            Method = "GET",
            RawPath = presigned.AbsolutePath,
            RawQuery = presigned.Query[1..],
            Headers = headers,
        };

        SigV4Result result = await NimbusVerifier(s3Mode, service).VerifyAsync(sigV4Request, Lookup, CancellationToken.None);

        result.Succeeded.ShouldBeTrue(result.ToString() + "\n" + result.CanonicalRequest);
        result.IsPresigned.ShouldBeTrue();
        result.ExpiresAt.ShouldBe(result.SignedAt.AddSeconds(300));
    }

    [Fact]
    public async Task Request_signed_by_our_signer_matches_the_AWS_SDK_signature()
    {
        // The other direction: both signers produce the same signature for the same request.
        DefaultRequest request = SdkRequest("POST", "/v1/volumes/vol 1", "{}");
        SignWithSdk(request, "local", "nimbus");
        Uri uri = AmazonServiceClient.ComposeUrl(request);
        DateTimeOffset signedAt = DateTimeOffset.ParseExact(
            request.Headers["X-Amz-Date"], "yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal);
        using var ours = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent("{}"u8.ToArray()) };
        ours.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        SigV4Signer.Sign(ours, new SigV4Credentials(AccessKeyId, Secret), "local", "nimbus", signedAt, SigV4Signer.HashPayload("{}"u8));

        ours.Headers.GetValues("Authorization").Single().ShouldBe(request.Headers["Authorization"]);
    }

    internal static SigV4Request ToSigV4Request(IRequest request)
    {
        Uri uri = AmazonServiceClient.ComposeUrl(request);
        var headers = new SigV4HeaderCollection();
        foreach (KeyValuePair<string, string> header in request.Headers)
        {
            headers.Add(header.Key, header.Value);
        }

        return new SigV4Request
        {
            Method = request.HttpMethod,
            RawPath = uri.AbsolutePath,
            RawQuery = uri.Query.Length > 0 ? uri.Query[1..] : "",
            Headers = headers,
            PayloadHash = SigV4Signer.HashPayload(request.Content ?? []),
        };
    }

    private static DefaultRequest SdkRequest(string method, string path, string? body)
    {
        var request = new DefaultRequest(new AwsSdkServiceRequest(), "Nimbus")
        {
            HttpMethod = method,
            Endpoint = new Uri("http://localhost:8080/"),
            ResourcePath = path,
        };
        if (body is not null)
        {
            request.Content = System.Text.Encoding.UTF8.GetBytes(body);
            request.Headers["Content-Type"] = "application/json";
        }

        return request;
    }

    private static void SignWithSdk(DefaultRequest request, string region, string service)
    {
        AWS4SigningResult signing = new AWS4Signer().SignRequest(request, new AwsSdkClientConfig(region, service), null, AccessKeyId, Secret);
        request.Headers["Authorization"] = signing.ForAuthorizationHeader;
    }

    private static SigV4Verifier NimbusVerifier(bool s3Mode, string service = "nimbus") =>
        new(new SigV4VerifierOptions { Region = "local", Service = service, S3Mode = s3Mode });

    private static ValueTask<string?> Lookup(string accessKeyId, CancellationToken ct) =>
        ValueTask.FromResult(accessKeyId == AccessKeyId ? Secret : null);
}
