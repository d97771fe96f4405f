using Nimbus.Cli.Tests.EndToEnd.Support;
using Nimbus.Contracts.Demo;
using Nimbus.Contracts.Errors;
using Nimbus.Sdk;
using Nimbus.Sdk.Demo;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Cli.Tests.EndToEnd;

/// <summary>The SDK's typed clients against a real server: every call crosses SigV4, the pipeline, the store and the controller.</summary>
public sealed class SdkLifecycleTests : IAsyncLifetime
{
    private static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(20);

    private NimbusServer _server = null!;
    private NimbusClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await NimbusServer.StartAsync();
        _client = Clients.For(_server);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    private string FileOf(string id) => Path.Combine(_server.DataDirectory, "widgets", id + ".txt");

    [Fact]
    public async Task Whoami_returns_the_bootstrapped_administrator()
    {
        var identity = await _client.Sts.GetCallerIdentityAsync();

        identity.Account.ShouldBe(_server.Admin.Account);
        identity.UserName.ShouldBe("admin");
        identity.AccessKeyId.ShouldBe(_server.Admin.AccessKeyId);
        identity.IsPlatformAdministrator.ShouldBeTrue();
        identity.Principal.ShouldStartWith($"nrn:nimbus:iam::{_server.Admin.Account}:user/usr-");
    }

    [Fact]
    public async Task Access_key_goes_through_create_list_get_deactivate_activate_delete()
    {
        var keys = _client.Iam.AccessKeys;

        var created = await keys.CreateAsync();
        created.AccessKey.AccessKeyId.ShouldMatch("^NKIA[A-Z2-7]{16}$");
        created.AccessKey.AccessKeyId.ShouldNotBe(_server.Admin.AccessKeyId);
        created.AccessKey.Account.ShouldBe(_server.Admin.Account);
        created.AccessKey.UserName.ShouldBe("admin");
        created.AccessKey.State.ShouldBe("active");
        created.SecretAccessKey.Length.ShouldBe(40);
        var id = created.AccessKey.AccessKeyId;
        using var second = Clients.For(_server, new(id, created.SecretAccessKey));
        (await second.Sts.GetCallerIdentityAsync()).AccessKeyId.ShouldBe(id);

        var page = await keys.ListAsync();
        page.Items.Select(k => k.AccessKeyId).ShouldBe([_server.Admin.AccessKeyId, id]);
        page.NextToken.ShouldBeNull();

        var read = await keys.GetAsync(id);
        read.ShouldBe(created.AccessKey with { LastUsedAt = read.LastUsedAt });
        read.Principal.ShouldBe((await _client.Sts.GetCallerIdentityAsync()).Principal);

        (await keys.DeactivateAsync(id)).State.ShouldBe("inactive");
        (await keys.GetAsync(id)).State.ShouldBe("inactive");
        var refused = await Should.ThrowAsync<NimbusApiException>(() => second.Sts.GetCallerIdentityAsync());
        refused.Code.ShouldBe(ErrorCodes.InvalidAccessKeyId);
        ((int)refused.StatusCode).ShouldBe(403);

        (await keys.ActivateAsync(id)).State.ShouldBe("active");
        (await second.Sts.GetCallerIdentityAsync()).AccessKeyId.ShouldBe(id);

        await keys.DeleteAsync(id);
        (await Should.ThrowAsync<NimbusApiException>(() => keys.GetAsync(id))).Code.ShouldBe(ErrorCodes.NotFound);
        (await Should.ThrowAsync<NimbusApiException>(() => second.Sts.GetCallerIdentityAsync())).Code.ShouldBe(ErrorCodes.InvalidAccessKeyId);
        (await keys.ListAsync()).Items.Select(k => k.AccessKeyId).ShouldBe([_server.Admin.AccessKeyId]);
    }

    [Fact]
    public async Task Widget_is_created_becomes_ready_is_updated_and_is_deleted()
    {
        var widgets = _client.Demo.Widgets;
        var tags = new Dictionary<string, string> { ["team"] = "blue" };

        var created = await widgets.CreateAsync(new CreateWidgetRequest { Name = "sdk-life", Tags = tags, Spec = new WidgetSpec { Message = "one", Copies = 2 } });
        created.Id.ShouldMatch("^wdg-[a-z0-9]{12}$");
        created.Kind.ShouldBe("demo/widget");
        created.Nrn.ShouldBe($"nrn:nimbus:demo:local:{_server.Admin.Account}:widget/{created.Id}");
        created.Name.ShouldBe("sdk-life");
        created.Tags.ShouldBe(tags);
        created.Version.ShouldBe(1);
        created.Status.Phase.ShouldBe("pending");
        created.SpecAs<WidgetSpec>().ShouldBe(new WidgetSpec { Message = "one", Copies = 2 });

        var ready = await widgets.WaitForPhaseAsync(created.Id, WidgetsClient.ReadyPhase, WaitTimeout);
        ready.Status.ObservedVersion.ShouldBe(1);
        ready.Status.Message.ShouldBe("8 bytes written");
        ready.Status.Conditions.ShouldContain(c => c.Type == "Ready" && c.Status == "True" && c.Reason == "FileWritten");
        (await File.ReadAllTextAsync(FileOf(created.Id))).ShouldBe("one\none\n");

        var listed = await widgets.ListAsync(tags: tags);
        listed.Items.Select(w => w.Id).ShouldBe([created.Id]);
        (await widgets.ListAsync(tags: new Dictionary<string, string> { ["team"] = "red" })).Items.ShouldBeEmpty();

        var updated = await widgets.UpdateAsync(created.Id, new UpdateWidgetRequest { Version = ready.Version, Spec = new WidgetSpec { Message = "two", Copies = 1 } });
        updated.Version.ShouldBe(2);
        updated.Tags.ShouldBe(tags);
        var reconciled = await widgets.WaitForPhaseAsync(created.Id, WidgetsClient.ReadyPhase, WaitTimeout, minObservedVersion: updated.Version);
        reconciled.Status.ObservedVersion.ShouldBe(2);
        reconciled.Status.Message.ShouldBe("4 bytes written");
        reconciled.SpecAs<WidgetSpec>().Message.ShouldBe("two");
        (await File.ReadAllTextAsync(FileOf(created.Id))).ShouldBe("two\n");

        await widgets.DeleteAsync(created.Id);
        await widgets.WaitForDeletedAsync(created.Id, WaitTimeout);
        (await Should.ThrowAsync<NimbusApiException>(() => widgets.GetAsync(created.Id))).Code.ShouldBe(ErrorCodes.NotFound);
        File.Exists(FileOf(created.Id)).ShouldBeFalse();
        (await widgets.ListAsync()).Items.ShouldBeEmpty();
    }

    [Fact]
    public async Task Tags_and_ids_with_reserved_characters_survive_signing_and_filtering()
    {
        var widgets = _client.Demo.Widgets;
        var tags = new Dictionary<string, string> { ["path/key"] = "a b&c=d+é~*'()", ["team"] = "blue" };
        var created = await widgets.CreateAsync(new CreateWidgetRequest { Name = "odd.name_1-x", Tags = tags, Spec = new WidgetSpec { Message = "héllo wörld ✓" } });
        await widgets.CreateAsync(new CreateWidgetRequest { Name = "plain", Tags = new Dictionary<string, string> { ["team"] = "blue" }, Spec = new WidgetSpec { Message = "x" } });

        (await widgets.ListAsync(tags: new Dictionary<string, string> { ["path/key"] = "a b&c=d+é~*'()" })).Items.Select(w => w.Id).ShouldBe([created.Id]);
        (await widgets.ListAsync(tags: tags)).Items.Select(w => w.Id).ShouldBe([created.Id]);
        (await widgets.ListAsync(tags: new Dictionary<string, string> { ["team"] = "blue" })).Items.Count.ShouldBe(2);
        (await widgets.ListAsync(name: "odd.name_1-x")).Items.Select(w => w.Tags).ShouldBe([tags]);
        await widgets.WaitForPhaseAsync(created.Id, WidgetsClient.ReadyPhase, WaitTimeout);
        (await File.ReadAllTextAsync(FileOf(created.Id))).ShouldBe("héllo wörld ✓\n");

        foreach (var id in new[] { "a b", "../wdg", "wdg-?x=1", "é" })
        {
            var error = await Should.ThrowAsync<NimbusApiException>(() => widgets.GetAsync(id));
            error.Code.ShouldBe(ErrorCodes.NotFound, id);
        }
    }

    [Fact]
    public async Task Paging_returns_every_widget_once_in_creation_order()
    {
        var widgets = _client.Demo.Widgets;
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await widgets.CreateAsync(new CreateWidgetRequest { Name = $"page-{i}", Spec = new WidgetSpec { Message = "m" } })).Id);
        }

        var first = await widgets.ListAsync(pageSize: 2);
        first.Items.Select(w => w.Id).ShouldBe(ids.Take(2));
        var second = await widgets.ListAsync(pageSize: 2, nextToken: first.NextToken.ShouldNotBeNull());
        second.Items.Select(w => w.Id).ShouldBe(ids.Skip(2).Take(2));
        var all = new List<string>();
        await foreach (var widget in widgets.ListAllAsync(pageSize: 2))
        {
            all.Add(widget.Id);
        }

        all.ShouldBe(ids);
    }
}
