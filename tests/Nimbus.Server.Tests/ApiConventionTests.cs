using System.Net;
using System.Text;
using Nimbus.Contracts.Demo;
using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Resources;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Server.Tests;

public sealed class ApiConventionTests : IAsyncLifetime
{
    private NimbusServer _server = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await NimbusServer.StartAsync(o => o with { MaxBodyBytes = 64 * 1024 });
        _client = _server.SignedHttpClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    private Task<HttpResponseMessage> PostRawAsync(string path, string body, string contentType = "application/json") =>
        _client.PostAsync(path, new StringContent(body, Encoding.UTF8, contentType));

    private async Task<int> WidgetCountAsync() =>
        (await (await _client.GetAsync("/v1/demo/widgets?pageSize=1000")).ShouldBeOkAsync<PageDto<ResourceDto>>()).Items.Count;

    [Theory]
    [InlineData("{\"name\":\"x\",")]
    [InlineData("not json")]
    [InlineData("{\"name\":\"x\",\"spec\":{\"message\":\"m\"},\"colour\":\"red\"}")]
    [InlineData("{\"name\":42,\"spec\":{\"message\":\"m\"}}")]
    [InlineData("{\"name\":\"x\",\"spec\":{\"message\":\"m\",\"copies\":\"two\"}}")]
    [InlineData("[]")]
    public async Task Malformed_bodies_are_400_and_write_nothing(string body)
    {
        var problem = await (await PostRawAsync("/v1/demo/widgets", body)).ShouldBeProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.MalformedRequest);
        problem.Detail.ShouldNotBeNullOrEmpty();
        (await WidgetCountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task Validation_reports_every_bad_field_at_once()
    {
        var problem = await (await _client.PostJsonAsync("/v1/demo/widgets", new CreateWidgetRequest { Name = "bad name!", Spec = new WidgetSpec { Message = "", Copies = 0 } }))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.InvalidParameter);
        problem.Errors.Select(e => e.Field).ShouldBe(["name", "spec.message", "spec.copies"], ignoreOrder: true);
        (await WidgetCountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task Oversized_body_is_413()
    {
        var big = "{\"name\":\"big\",\"spec\":{\"message\":\"" + new string('a', 70 * 1024) + "\"}}";
        await (await PostRawAsync("/v1/demo/widgets", big)).ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge, ErrorCodes.RequestTooLarge);
    }

    [Fact]
    public async Task Wrong_content_type_is_415()
    {
        await (await PostRawAsync("/v1/demo/widgets", "name=x", "application/x-www-form-urlencoded")).ShouldBeProblemAsync(HttpStatusCode.UnsupportedMediaType, ErrorCodes.UnsupportedMediaType);
    }

    [Fact]
    public async Task Unknown_route_is_404_and_wrong_method_is_405()
    {
        await (await _client.GetAsync("/v1/nothing/here")).ShouldBeProblemAsync(HttpStatusCode.NotFound, ErrorCodes.RouteNotFound);
        await (await _client.PatchAsync("/v1/demo/widgets", new StringContent("{}", Encoding.UTF8, "application/json"))).ShouldBeProblemAsync(HttpStatusCode.MethodNotAllowed, ErrorCodes.MethodNotAllowed);
    }

    [Fact]
    public async Task Request_id_is_echoed_or_generated()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/demo/widgets");
        request.Headers.Add("X-Request-Id", "my-trace-123");
        var echoed = await _client.SendAsync(request);
        echoed.Headers.GetValues("X-Request-Id").Single().ShouldBe("my-trace-123");

        var generated = await _client.GetAsync("/v1/demo/widgets");
        generated.Headers.GetValues("X-Request-Id").Single().ShouldStartWith("req-");
    }

    [Fact]
    public async Task Paging_is_stable_while_items_are_added_and_removed()
    {
        var ids = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            ids.Add((await (await _client.PostJsonAsync("/v1/demo/widgets", new CreateWidgetRequest { Name = $"w{i}", Spec = new WidgetSpec { Message = "m" } })).ShouldBeOkAsync<ResourceDto>(HttpStatusCode.Created)).Id);
        }

        var seen = new List<string>();
        var first = await (await _client.GetAsync("/v1/demo/widgets?pageSize=3")).ShouldBeOkAsync<PageDto<ResourceDto>>();
        seen.AddRange(first.Items.Select(w => w.Id));
        first.NextToken.ShouldNotBeNull();

        // Changes between pages: delete an already-seen item, add a new one at the end.
        (await _client.DeleteAsync($"/v1/demo/widgets/{ids[0]}")).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var late = (await (await _client.PostJsonAsync("/v1/demo/widgets", new CreateWidgetRequest { Name = "late", Spec = new WidgetSpec { Message = "m" } })).ShouldBeOkAsync<ResourceDto>(HttpStatusCode.Created)).Id;

        var token = first.NextToken;
        while (token is not null)
        {
            var page = await (await _client.GetAsync($"/v1/demo/widgets?pageSize=3&nextToken={Uri.EscapeDataString(token)}")).ShouldBeOkAsync<PageDto<ResourceDto>>();
            seen.AddRange(page.Items.Select(w => w.Id));
            token = page.NextToken;
        }

        seen.Distinct().Count().ShouldBe(seen.Count);
        seen.ShouldBe([.. ids, late]);
    }

    [Theory]
    [InlineData("pageSize=0")]
    [InlineData("pageSize=1001")]
    [InlineData("pageSize=abc")]
    [InlineData("nextToken=garbage%21")]
    public async Task Bad_paging_parameters_are_400(string query)
    {
        await (await _client.GetAsync("/v1/demo/widgets?" + query)).ShouldBeProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.InvalidParameter);
    }

    [Fact]
    public async Task List_filters_by_name_and_tags()
    {
        await _client.PostJsonAsync("/v1/demo/widgets", new CreateWidgetRequest { Name = "blue1", Tags = new Dictionary<string, string> { ["team"] = "blue", ["env"] = "prod" }, Spec = new WidgetSpec { Message = "m" } });
        await _client.PostJsonAsync("/v1/demo/widgets", new CreateWidgetRequest { Name = "blue2", Tags = new Dictionary<string, string> { ["team"] = "blue" }, Spec = new WidgetSpec { Message = "m" } });
        await _client.PostJsonAsync("/v1/demo/widgets", new CreateWidgetRequest { Name = "red1", Tags = new Dictionary<string, string> { ["team"] = "red" }, Spec = new WidgetSpec { Message = "m" } });

        var blue = await (await _client.GetAsync("/v1/demo/widgets?tag=team%3Dblue")).ShouldBeOkAsync<PageDto<ResourceDto>>();
        blue.Items.Select(w => w.Name).ShouldBe(["blue1", "blue2"]);
        var blueProd = await (await _client.GetAsync("/v1/demo/widgets?tag=team%3Dblue&tag=env%3Dprod")).ShouldBeOkAsync<PageDto<ResourceDto>>();
        blueProd.Items.Select(w => w.Name).ShouldBe(["blue1"]);
        var byName = await (await _client.GetAsync("/v1/demo/widgets?name=red1")).ShouldBeOkAsync<PageDto<ResourceDto>>();
        byName.Items.Single().Tags["team"].ShouldBe("red");
    }

    [Fact]
    public async Task Idempotency_key_replays_the_first_answer_and_refuses_a_different_body()
    {
        async Task<HttpResponseMessage> CreateAsync(string message)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/demo/widgets")
            {
                Content = new StringContent($"{{\"name\":\"idem\",\"spec\":{{\"message\":\"{message}\"}}}}", Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("Idempotency-Key", "create-idem-1");
            return await _client.SendAsync(request);
        }

        var first = await (await CreateAsync("a")).ShouldBeOkAsync<ResourceDto>(HttpStatusCode.Created);
        var replayResponse = await CreateAsync("a");
        var replay = await replayResponse.ShouldBeOkAsync<ResourceDto>(HttpStatusCode.Created);
        replay.Id.ShouldBe(first.Id);
        replayResponse.Headers.GetValues("Idempotent-Replayed").Single().ShouldBe("true");
        replayResponse.Headers.Location!.ToString().ShouldBe($"/v1/demo/widgets/{first.Id}");
        await (await CreateAsync("b")).ShouldBeProblemAsync(HttpStatusCode.Conflict, ErrorCodes.IdempotencyKeyReused);
        (await WidgetCountAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task Concurrent_creates_with_one_idempotency_key_create_once()
    {
        var tasks = Enumerable.Range(0, 8).Select(async _ =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/demo/widgets")
            {
                Content = new StringContent("{\"name\":\"race\",\"spec\":{\"message\":\"m\"}}", Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("Idempotency-Key", "race-key");
            return await (await _client.SendAsync(request)).ShouldBeOkAsync<ResourceDto>(HttpStatusCode.Created);
        });
        var results = await Task.WhenAll(tasks);
        results.Select(r => r.Id).Distinct().Count().ShouldBe(1);
    }
}
