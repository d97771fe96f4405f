using System.Net;
using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Iam;
using Nimbus.Contracts.Signing;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Server.Tests;

public sealed class AuthenticationTests : IAsyncLifetime
{
    private NimbusServer _server = null!;

    public async Task InitializeAsync() => _server = await NimbusServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Signed_request_with_bootstrap_credentials_is_the_admin()
    {
        using var client = _server.SignedHttpClient();
        var identity = await (await client.GetAsync("/v1/sts/caller-identity")).ShouldBeOkAsync<CallerIdentityDto>();
        identity.UserName.ShouldBe("admin");
        identity.Account.ShouldBe(_server.Admin.Account);
        identity.AccessKeyId.ShouldBe(_server.Admin.AccessKeyId);
        identity.IsPlatformAdministrator.ShouldBeTrue();
        identity.Principal.ShouldStartWith($"nrn:nimbus:iam::{_server.Admin.Account}:user/usr-");
    }

    [Fact]
    public async Task Unsigned_request_is_401_missing_authentication()
    {
        using var client = _server.AnonymousHttpClient();
        await (await client.GetAsync("/v1/sts/caller-identity")).ShouldBeProblemAsync(HttpStatusCode.Unauthorized, ErrorCodes.MissingAuthentication);
    }

    [Fact]
    public async Task Wrong_secret_is_403_signature_does_not_match()
    {
        using var client = _server.SignedHttpClient(new SigV4Credentials(_server.Admin.AccessKeyId, "not-the-secret-at-all-0000000000000000000"));
        await (await client.GetAsync("/v1/sts/caller-identity")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.SignatureDoesNotMatch);
    }

    [Fact]
    public async Task Unknown_access_key_is_403_invalid_access_key_id()
    {
        using var client = _server.SignedHttpClient(new SigV4Credentials("NKIAUNKNOWNUNKNOWN00", "secret"));
        await (await client.GetAsync("/v1/sts/caller-identity")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.InvalidAccessKeyId);
    }

    [Theory]
    [InlineData(-16)]
    [InlineData(16)]
    public async Task Clock_skew_beyond_15_minutes_is_refused(int minutes)
    {
        using var client = _server.SignedHttpClient(clock: () => DateTimeOffset.UtcNow.AddMinutes(minutes));
        await (await client.GetAsync("/v1/sts/caller-identity")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.RequestExpired);
    }

    [Fact]
    public async Task Clock_skew_within_15_minutes_is_accepted()
    {
        using var client = _server.SignedHttpClient(clock: () => DateTimeOffset.UtcNow.AddMinutes(-14));
        (await client.GetAsync("/v1/sts/caller-identity")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Tampered_body_is_refused()
    {
        using var http = new HttpClient { BaseAddress = _server.Endpoint };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_server.Endpoint, "/v1/demo/widgets")) { Content = new StringContent("""{"name":"a","spec":{"message":"x"}}""", System.Text.Encoding.UTF8, "application/json") };
        SigV4Signer.Sign(request, _server.AdminCredentials, "local", "nimbus", DateTimeOffset.UtcNow, SigV4Signer.HashPayload("""{"name":"b","spec":{"message":"x"}}"""u8));
        await (await http.SendAsync(request)).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.SignatureDoesNotMatch);
    }

    [Fact]
    public async Task Presigned_url_is_accepted_until_it_expires()
    {
        using var http = new HttpClient();
        var url = SigV4Signer.Presign(HttpMethod.Get, new Uri(_server.Endpoint, "/v1/sts/caller-identity"), _server.AdminCredentials, "local", "nimbus", DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));
        (await http.GetAsync(url)).StatusCode.ShouldBe(HttpStatusCode.OK);

        var expired = SigV4Signer.Presign(HttpMethod.Get, new Uri(_server.Endpoint, "/v1/sts/caller-identity"), _server.AdminCredentials, "local", "nimbus", DateTimeOffset.UtcNow.AddMinutes(-10), TimeSpan.FromMinutes(5));
        await (await http.GetAsync(expired)).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.RequestExpired);
    }

    [Fact]
    public async Task Signature_for_another_region_is_refused()
    {
        using var client = new HttpClient(new SigningHandler(_server.AdminCredentials, region: "us-east-1")) { BaseAddress = _server.Endpoint };
        await (await client.GetAsync("/v1/sts/caller-identity")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.SignatureDoesNotMatch);
    }

    [Fact]
    public async Task Session_token_with_a_long_term_key_is_refused()
    {
        var credentials = new SigV4Credentials(_server.Admin.AccessKeyId, _server.Admin.SecretAccessKey, "made-up-session-token");
        using var client = _server.SignedHttpClient(credentials);
        await (await client.GetAsync("/v1/sts/caller-identity")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.InvalidAccessKeyId);
    }

    [Fact]
    public async Task Malformed_authorization_header_is_400_incomplete_signature()
    {
        using var http = new HttpClient { BaseAddress = _server.Endpoint };
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_server.Endpoint, "/v1/sts/caller-identity"));
        request.Headers.TryAddWithoutValidation("Authorization", "AWS4-HMAC-SHA256 Credential=garbage");
        await (await http.SendAsync(request)).ShouldBeProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.IncompleteSignature);
    }
}
