using System.Net;
using Nimbus.Cli.Tests.Fakes;
using Nimbus.Contracts.Demo;
using Nimbus.Contracts.Signing;
using Shouldly;
using Xunit;

namespace Nimbus.Cli.Tests.Sdk;

public sealed class SigningTests
{
    [Fact]
    public async Task Every_request_carries_the_sigv4_headers_for_the_nimbus_service()
    {
        var (client, handler, _) = TestClients.Create();
        handler.Answer(HttpStatusCode.OK, """{"account":"000000000001","principal":"nrn:nimbus:iam::000000000001:user/admin"}""");

        await client.Sts.GetCallerIdentityAsync();

        var request = handler.Requests.ShouldHaveSingleItem();
        request.Header("Authorization").ShouldNotBeNull();
        request.Header("Authorization")!.ShouldStartWith("AWS4-HMAC-SHA256 Credential=NKIATESTKEY00001/20250102/local/nimbus/aws4_request");
        request.Header("X-Amz-Date").ShouldBe("20250102T030405Z");
        request.Header("X-Amz-Content-Sha256").ShouldBe(SigV4Signer.EmptyPayloadHash);
        request.Header("X-Amz-Security-Token").ShouldBeNull();
        request.Uri.ShouldBe(new Uri("http://nimbus.test:7070/v1/sts/caller-identity"));
    }

    [Fact]
    public async Task Body_is_camel_case_json_and_its_hash_is_signed()
    {
        var (client, handler, _) = TestClients.Create();
        handler.Answer(HttpStatusCode.Created, Canned.Widget());

        await client.Demo.Widgets.CreateAsync(new CreateWidgetRequest { Name = "w1", Spec = new WidgetSpec { Message = "hi", Copies = 2 } });

        var request = handler.Requests.ShouldHaveSingleItem();
        request.BodyText.ShouldBe("""{"name":"w1","tags":null,"spec":{"message":"hi","copies":2}}""");
        request.ContentType.ShouldBe("application/json; charset=utf-8");
        request.Header("X-Amz-Content-Sha256").ShouldBe(SigV4Signer.HashPayload(request.Body));
        request.Header("X-Amz-Content-Sha256").ShouldNotBe(SigV4Signer.EmptyPayloadHash);
    }

    [Theory]
    [InlineData("GET", "/v1/demo/widgets?name=w%201&tag=env%3Dprod&tag=team%3Da%26b&pageSize=10")]
    [InlineData("POST", "/v1/iam/access-keys/NKIA1:deactivate")]
    [InlineData("PUT", "/v1/demo/widgets/wdg-1")]
    [InlineData("DELETE", "/v1/demo/widgets/wdg-1")]
    public async Task Signatures_verify_with_the_servers_verifier(string method, string pathAndQuery)
    {
        var (client, handler, _) = TestClients.Create(o => o with { Credentials = new SigV4Credentials("NKIATESTKEY00001", "test-secret-key", "tok") });
        handler.Fallback = _ => CannedHandler.Response(HttpStatusCode.OK, "{}");
        var verifier = new SigV4Verifier(new SigV4VerifierOptions { TimeProvider = new SteppingTimeProvider(TestClients.Start) });

        await client.SendAsync(new HttpMethod(method), pathAndQuery, method is "PUT" or "POST" ? new { message = "héllo" } : null);

        var result = await verifier.VerifyAsync(
            handler.Requests.ShouldHaveSingleItem().AsReceived,
            (id, _) => ValueTask.FromResult<string?>(id == "NKIATESTKEY00001" ? "test-secret-key" : null),
            CancellationToken.None);
        result.Succeeded.ShouldBeTrue(result.ToString());
        result.AccessKeyId.ShouldBe("NKIATESTKEY00001");
        result.SessionToken.ShouldBe("tok");
    }

    [Fact]
    public async Task Session_token_and_region_are_signed_when_configured()
    {
        var (client, handler, _) = TestClients.Create(o => o with { Credentials = new SigV4Credentials("NKIATEMP", "s", "session-token-1"), Region = "eu-1" });
        handler.Answer(HttpStatusCode.OK, """{"account":"1","principal":"p"}""");

        await client.Sts.GetCallerIdentityAsync();

        var request = handler.Requests.ShouldHaveSingleItem();
        request.Header("X-Amz-Security-Token").ShouldBe("session-token-1");
        request.Header("Authorization")!.ShouldContain("/eu-1/nimbus/aws4_request");
    }

    [Fact]
    public async Task Endpoint_path_prefix_is_kept_and_path_segments_are_escaped()
    {
        var (client, handler, _) = TestClients.Create(o => o with { Endpoint = new Uri("https://proxy.test/nimbus/") });
        handler.Answer(HttpStatusCode.OK, Canned.AccessKey());

        await client.Iam.AccessKeys.GetAsync("a/b c");

        handler.Requests.ShouldHaveSingleItem().Uri.AbsoluteUri.ShouldBe("https://proxy.test/nimbus/v1/iam/access-keys/a%2Fb%20c");
    }
}
