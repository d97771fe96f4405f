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
