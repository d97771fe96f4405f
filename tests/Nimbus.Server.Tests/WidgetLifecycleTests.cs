using System.Net;
using System.Net.Http.Json;
using Nimbus.Contracts.Demo;
using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Resources;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Server.Tests;

/// <summary>The built-in widget kind proves the whole desired-state loop: API → store → controller → world → status.</summary>
public sealed class WidgetLifecycleTests : IAsyncLifetime
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

    private string FileOf(string id) => Path.Combine(_server.DataDirectory, "widgets", id + ".txt");

    private Task<ResourceDto> WaitForAsync(string id, Func<ResourceDto, bool> done) =>
        Poll.UntilAsync(async () => await (await _client.GetAsync($"/v1/demo/widgets/{id}")).ShouldBeOkAsync<ResourceDto>(), done, what: $"widget {id}");

    [Fact]
    public async Task Created_widget_becomes_ready_with_its_file_written()
    {
        var response = await _client.PostJsonAsync("/v1/demo/widgets", new CreateWidgetRequest { Name = "hello", Tags = new Dictionary<string, string> { ["team"] = "blue" }, Spec = new WidgetSpec { Message = "hi", Copies = 2 } });
        var created = await response.ShouldBeOkAsync<ResourceDto>(HttpStatusCode.Created);
        response.Headers.Location!.ToString().ShouldBe($"/v1/demo/widgets/{created.Id}");
        created.Id.ShouldStartWith("wdg-");
        created.Kind.ShouldBe("demo/widget");
        created.Nrn.ShouldBe($"nrn:nimbus:demo:local:{_server.Admin.Account}:widget/{created.Id}");
        created.Version.ShouldBe(1);
        created.Status.Phase.ShouldBe("pending");
        created.Tags["team"].ShouldBe("blue");

        var ready = await WaitForAsync(created.Id, w => w.Status.Phase == "ready");
        ready.Status.ObservedVersion.ShouldBe(1);
        ready.Status.Conditions.ShouldContain(c => c.Type == "Ready" && c.Status == "True");
        (await File.ReadAllTextAsync(FileOf(created.Id))).ShouldBe("hi\nhi\n");
    }

    [Fact]
    public async Task Update_rewrites_the_file_and_a_stale_version_is_a_conflict()
    {
        var created = await (await _client.PostJsonAsync("/v1/demo/widgets", new CreateWidgetRequest { Name = "upd", Spec = new WidgetSpec { Message = "one" } })).ShouldBeOkAsync<ResourceDto>(HttpStatusCode.Created);
        await WaitForAsync(created.Id, w => w.Status.Phase == "ready");

        var updated = await (await _client.PutAsJsonAsync($"/v1/demo/widgets/{created.Id}", new UpdateWidgetRequest { Version = 1, Spec = new WidgetSpec { Message = "two" } })).ShouldBeOkAsync<ResourceDto>();
        updated.Version.ShouldBe(2);
        await WaitForAsync(created.Id, w => w.Status.ObservedVersion == 2);
        (await File.ReadAllTextAsync(FileOf(created.Id))).ShouldBe("two\n");

        await (await _client.PutAsJsonAsync($"/v1/demo/widgets/{created.Id}", new UpdateWidgetRequest { Version = 1, Spec = new WidgetSpec { Message = "three" } })).ShouldBeProblemAsync(HttpStatusCode.Conflict, ErrorCodes.VersionConflict);
        (await File.ReadAllTextAsync(FileOf(created.Id))).ShouldBe("two\n");
    }

    [Fact]
    public async Task Delete_goes_through_deleting_and_removes_the_file()
    {
        var created = await (await _client.PostJsonAsync("/v1/demo/widgets", new CreateWidgetRequest { Name = "del", Spec = new WidgetSpec { Message = "bye" } })).ShouldBeOkAsync<ResourceDto>(HttpStatusCode.Created);
        await WaitForAsync(created.Id, w => w.Status.Phase == "ready");
        File.Exists(FileOf(created.Id)).ShouldBeTrue();

        var accepted = await (await _client.DeleteAsync($"/v1/demo/widgets/{created.Id}")).ShouldBeOkAsync<ResourceDto>(HttpStatusCode.Accepted);
        accepted.Status.Phase.ShouldBe("deleting");
        await Poll.UntilAsync(async () => (await _client.GetAsync($"/v1/demo/widgets/{created.Id}")).StatusCode, s => s == HttpStatusCode.NotFound, what: "widget gone");
        File.Exists(FileOf(created.Id)).ShouldBeFalse();
    }

    [Fact]
    public async Task Duplicate_name_is_already_exists()
    {
        (await _client.PostJsonAsync("/v1/demo/widgets", new CreateWidgetRequest { Name = "dup", Spec = new WidgetSpec { Message = "a" } })).StatusCode.ShouldBe(HttpStatusCode.Created);
        await (await _client.PostJsonAsync("/v1/demo/widgets", new CreateWidgetRequest { Name = "dup", Spec = new WidgetSpec { Message = "b" } })).ShouldBeProblemAsync(HttpStatusCode.Conflict, ErrorCodes.AlreadyExists);
    }

    [Fact]
    public async Task Controllers_resync_after_restart_and_repair_the_world()
    {
        var created = await (await _client.PostJsonAsync("/v1/demo/widgets", new CreateWidgetRequest { Name = "survivor", Spec = new WidgetSpec { Message = "still here" } })).ShouldBeOkAsync<ResourceDto>(HttpStatusCode.Created);
        await WaitForAsync(created.Id, w => w.Status.Phase == "ready");
        var dataDirectory = _server.DataDirectory;
        await _server.StopAsync();

        // The world drifts while Nimbus is down.
        File.Delete(FileOf(created.Id));

        await using var restarted = await NimbusServer.StartAsync(dataDirectory: dataDirectory);
        restarted.Admin.AccessKeyId.ShouldBe(_server.Admin.AccessKeyId);
        using var client = restarted.SignedHttpClient();
        var widget = await (await client.GetAsync($"/v1/demo/widgets/{created.Id}")).ShouldBeOkAsync<ResourceDto>();
        widget.Name.ShouldBe("survivor");
        await Poll.UntilAsync(() => Task.FromResult(File.Exists(FileOf(created.Id))), exists => exists, what: "file restored by resync");
        (await File.ReadAllTextAsync(FileOf(created.Id))).ShouldBe("still here\n");
    }
}
