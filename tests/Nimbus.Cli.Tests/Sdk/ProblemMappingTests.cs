using System.Net;
using Nimbus.Cli.Tests.Fakes;
using Nimbus.Sdk;
using Shouldly;
using Xunit;

namespace Nimbus.Cli.Tests.Sdk;

public sealed class ProblemMappingTests
{
    [Fact]
    public async Task Problem_json_becomes_an_api_exception_with_code_request_id_and_field_errors()
    {
        var (client, handler, _) = TestClients.Create();
        handler.Answer(
            HttpStatusCode.BadRequest,
            Canned.Problem("InvalidParameter", "The request has invalid fields.", "req-42", """[{"field":"spec.message","message":"must not be empty"}]"""),
            "application/problem+json");

        var error = await Should.ThrowAsync<NimbusApiException>(() => client.SendAsync(HttpMethod.Post, "/v1/demo/widgets", new { }));

        error.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        error.Code.ShouldBe("InvalidParameter");
        error.Message.ShouldBe("The request has invalid fields.");
        error.RequestId.ShouldBe("req-42");
        error.Problem.Title.ShouldBe("InvalidParameter");
        var field = error.Errors.ShouldHaveSingleItem();
        field.Field.ShouldBe("spec.message");
        field.Message.ShouldBe("must not be empty");
        error.IsTransient.ShouldBeFalse();
    }

    [Fact]
    public async Task Problem_without_request_id_takes_it_from_the_header()
    {
        var (client, handler, _) = TestClients.Create();
        handler.Answer(HttpStatusCode.Conflict, """{"code":"VersionConflict","detail":"stale"}""", "application/problem+json", ("X-Request-Id", "req-h"));

        var error = await Should.ThrowAsync<NimbusApiException>(() => client.Demo.Widgets.GetAsync("wdg-1"));

        error.Code.ShouldBe("VersionConflict");
        error.RequestId.ShouldBe("req-h");
        error.Problem.Status.ShouldBe(409);
        error.Errors.ShouldBeEmpty();
    }

    [Fact]
    public async Task Html_error_body_still_gives_a_useful_exception()
    {
        var (client, handler, _) = TestClients.Create();
        handler.Answer(HttpStatusCode.BadGateway, "<html><body>502 Bad Gateway</body></html>", "text/html", ("X-Request-Id", "req-p"));

        var error = await Should.ThrowAsync<NimbusApiException>(() => client.Demo.Widgets.GetAsync("wdg-1"));

        error.StatusCode.ShouldBe(HttpStatusCode.BadGateway);
        error.Code.ShouldBe("InternalError");
        error.RequestId.ShouldBe("req-p");
        error.Message.ShouldBe("The server answered 502 Bad Gateway (text/html): <html><body>502 Bad Gateway</body></html>");
    }

    [Fact]
    public async Task Empty_error_body_maps_the_status_to_a_code()
    {
        var (client, handler, _) = TestClients.Create();
        handler.Answer(HttpStatusCode.Forbidden);

        var error = await Should.ThrowAsync<NimbusApiException>(() => client.Demo.Widgets.GetAsync("wdg-1"));

        error.Code.ShouldBe("AccessDenied");
        error.Message.ShouldBe("The server answered 403 Forbidden without details.");
        error.RequestId.ShouldBeNull();
    }

    [Fact]
    public async Task Problem_without_a_nimbus_code_gets_one_from_the_status()
    {
        var (client, handler, _) = TestClients.Create();
        handler.Answer(HttpStatusCode.MethodNotAllowed, """{"title":"Method Not Allowed","status":405}""", "application/problem+json");

        var error = await Should.ThrowAsync<NimbusApiException>(() => client.Demo.Widgets.GetAsync("wdg-1"));

        error.Code.ShouldBe("MethodNotAllowed");
        error.Message.ShouldBe("Method Not Allowed");
    }

    [Fact]
    public async Task Json_error_that_is_not_a_problem_is_kept_as_text()
    {
        var (client, handler, _) = TestClients.Create();
        handler.Answer(HttpStatusCode.NotFound, """{"error":"nope"}""");

        var error = await Should.ThrowAsync<NimbusApiException>(() => client.Demo.Widgets.GetAsync("wdg-1"));

        error.Code.ShouldBe("NotFound");
        error.Message.ShouldContain("""{"error":"nope"}""");
    }
}
