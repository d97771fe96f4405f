using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Nimbus.Contracts.Demo;
using Nimbus.Contracts.Resources;
using Nimbus.Core.Controllers;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Server.Tests;

/// <summary>The controller runtime against the real world: failures land in status and are retried until the world allows.</summary>
public sealed class ControllerTests : IAsyncLifetime
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

    [Fact]
    public async Task A_failing_reconcile_is_reported_in_status_and_retried_until_it_succeeds()
    {
        // Break the world: a plain file where the widgets directory should be.
        var directory = Path.Combine(_server.DataDirectory, "widgets");
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        await File.WriteAllTextAsync(directory, "in the way");

        var created = await (await _client.PostJsonAsync("/v1/demo/widgets", new CreateWidgetRequest { Name = "blocked", Spec = new WidgetSpec { Message = "m" } })).ShouldBeOkAsync<ResourceDto>(HttpStatusCode.Created);
        var failing = await Poll.UntilAsync(
            async () => await (await _client.GetAsync($"/v1/demo/widgets/{created.Id}")).ShouldBeOkAsync<ResourceDto>(),
            w => w.Status.Conditions.Any(c => c.Type == "Ready" && c.Status == "False" && c.Reason == "ReconcileError"),
            what: "failure recorded in status");
        failing.Status.Phase.ShouldBe("pending");
        failing.Status.Message.ShouldNotBeNullOrEmpty();

        // Repair the world: the retry with backoff picks it up without any new request.
        File.Delete(directory);
        var ready = await Poll.UntilAsync(
            async () => await (await _client.GetAsync($"/v1/demo/widgets/{created.Id}")).ShouldBeOkAsync<ResourceDto>(),
            w => w.Status.Phase == "ready",
            timeout: TimeSpan.FromSeconds(30),
            what: "retried to ready");
        ready.Status.Conditions.Single(c => c.Type == "Ready").Status.ShouldBe("True");
        (await File.ReadAllTextAsync(Path.Combine(directory, created.Id + ".txt"))).ShouldBe("m\n");
    }

    [Fact]
    public async Task A_widget_deleted_before_its_first_reconcile_is_finalized_after_a_restart()
    {
        // Controllers stopped before the create: the widget never gets its file, nor the widgets directory.
        await _server.Host.Services.GetRequiredService<ControllerRuntime>().StopAsync();
        var created = await (await _client.PostJsonAsync("/v1/demo/widgets", new CreateWidgetRequest { Name = "never-written", Spec = new WidgetSpec { Message = "m" } })).ShouldBeOkAsync<ResourceDto>(HttpStatusCode.Created);
        (await _client.DeleteAsync($"/v1/demo/widgets/{created.Id}")).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        Directory.Exists(Path.Combine(_server.DataDirectory, "widgets")).ShouldBeFalse();

        var dataDirectory = _server.DataDirectory;
        await _server.StopAsync();
        await using var restarted = await NimbusServer.StartAsync(dataDirectory: dataDirectory);
        using var client = restarted.SignedHttpClient();
        await Poll.UntilAsync(
            async () =>
            {
                using var response = await client.GetAsync($"/v1/demo/widgets/{created.Id}");
                return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
            },
            r => r.StatusCode == HttpStatusCode.NotFound,
            what: "widget gone");
    }

    [Fact]
    public async Task Readiness_reports_running_controllers()
    {
        using var anonymous = _server.AnonymousHttpClient();
        var body = await (await anonymous.GetAsync("/readyz")).Content.ReadAsStringAsync();
        body.ShouldContain("\"controllers\":true");
    }
}
