using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Nimbus.Contracts.Demo;
using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Resources;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Server.Tests;

/// <summary>The long poll of docs/api.md ("Waiting for a phase"): a GET that waits for a phase instead of a client polling.</summary>
public sealed class ResourceWaitTests : IAsyncLifetime
{
    private NimbusServer _server = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await NimbusServer.StartAsync();
        _client = _server.SignedHttpClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    private async Task<ResourceDto> CreateAsync(string name) =>
        await (await _client.PostJsonAsync("/v1/demo/widgets", new CreateWidgetRequest { Name = name, Spec = new WidgetSpec { Message = "hi" } })).ShouldBeOkAsync<ResourceDto>(HttpStatusCode.Created);

    [Fact]
    public async Task A_wait_answers_once_the_phase_is_reached_and_at_its_end_otherwise()
    {
        // Asked right after the create: the answer comes when the controller's status write commits.
        var created = await CreateAsync("fresh");
        var ready = await (await _client.GetAsync($"/v1/demo/widgets/{created.Id}?wait=20&untilPhase=ready,failed&minObservedVersion=1")).ShouldBeOkAsync<ResourceDto>();
        ready.Status.Phase.ShouldBe("ready");
        ready.Status.ObservedVersion.ShouldBe(1);

        // A phase that does not come: the wait runs out and answers the widget as it is.
        var clock = Stopwatch.StartNew();
        var still = await (await _client.GetAsync($"/v1/demo/widgets/{created.Id}?wait=1&untilPhase=deleting")).ShouldBeOkAsync<ResourceDto>();
        clock.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(900));
        still.Status.Phase.ShouldBe("ready");

        // A version the controller has not seen yet keeps the wait going: an update answers once its status is written.
        var waiting = _client.GetAsync($"/v1/demo/widgets/{created.Id}?wait=20&untilPhase=ready&minObservedVersion=2");
        await Task.Delay(200);
        waiting.IsCompleted.ShouldBeFalse("version 2 does not exist yet");
        (await _client.PutAsJsonAsync($"/v1/demo/widgets/{created.Id}", new UpdateWidgetRequest { Version = 1, Spec = new WidgetSpec { Message = "two" } })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var updated = await (await waiting).ShouldBeOkAsync<ResourceDto>();
        updated.Status.ObservedVersion.ShouldBe(2);
        updated.Status.Phase.ShouldBe("ready");
    }

    [Fact]
    public async Task A_wait_without_a_phase_ends_at_the_next_change_and_a_deleted_resource_answers_404()
    {
        var created = await CreateAsync("changes");
        var ready = await (await _client.GetAsync($"/v1/demo/widgets/{created.Id}?wait=20&untilPhase=ready")).ShouldBeOkAsync<ResourceDto>();
        ready.Status.Phase.ShouldBe("ready");

        var next = _client.GetAsync($"/v1/demo/widgets/{created.Id}?wait=20");
        await Task.Delay(200);
        next.IsCompleted.ShouldBeFalse("nothing changed yet");
        (await _client.DeleteAsync($"/v1/demo/widgets/{created.Id}")).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var changed = await next;
        changed.StatusCode.ShouldBeOneOf(HttpStatusCode.OK, HttpStatusCode.NotFound);

        // Waiting on a widget that is gone answers 404 at once.
        await Poll.UntilAsync(async () => (await _client.GetAsync($"/v1/demo/widgets/{created.Id}")).StatusCode, s => s == HttpStatusCode.NotFound, what: "widget gone");
        var clock = Stopwatch.StartNew();
        (await _client.GetAsync($"/v1/demo/widgets/{created.Id}?wait=20&untilPhase=ready")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData("wait=0&untilPhase=ready", "wait")]
    [InlineData("wait=26&untilPhase=ready", "wait")]
    [InlineData("wait=soon", "wait")]
    [InlineData("untilPhase=ready", "wait")]
    [InlineData("wait=5&untilPhase=Ready;drop", "untilPhase")]
    [InlineData("wait=5&minObservedVersion=-1", "minObservedVersion")]
    public async Task Bad_wait_parameters_are_refused_with_the_field_named(string query, string field)
    {
        var created = await CreateAsync("bad-" + field.ToLowerInvariant() + Guid.NewGuid().ToString("N")[..6]);
        var problem = await (await _client.GetAsync($"/v1/demo/widgets/{created.Id}?{query}")).ShouldBeProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.InvalidParameter);
        (problem.Errors.Select(e => e.Field).Contains(field) || problem.Detail!.Contains(field, StringComparison.Ordinal)).ShouldBeTrue(problem.Detail);
    }
}
