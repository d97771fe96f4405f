using System.Net;
using Nimbus.Cli.Tests.Fakes;
using Nimbus.Contracts.Demo;
using Nimbus.Sdk;
using Shouldly;
using Xunit;

namespace Nimbus.Cli.Tests.Sdk;

public sealed class TypedClientTests
{
    [Fact]
    public async Task Widget_list_encodes_name_tags_page_size_and_token_in_the_query()
    {
        var (client, handler, _) = TestClients.Create();
        handler.Answer(HttpStatusCode.OK, Canned.Page("t2", Canned.Widget()));

        var page = await client.Demo.Widgets.ListAsync("w 1", new Dictionary<string, string> { ["env"] = "prod", ["team"] = "a&b" }, 10, "t1");

        page.Items.ShouldHaveSingleItem().Name.ShouldBe("w1");
        page.NextToken.ShouldBe("t2");
        handler.Requests.ShouldHaveSingleItem().Uri.PathAndQuery
            .ShouldBe("/v1/demo/widgets?name=w%201&tag=env%3Dprod&tag=team%3Da%26b&pageSize=10&nextToken=t1");
    }

    [Fact]
    public async Task List_all_follows_next_tokens_until_the_last_page()
    {
        var (client, handler, _) = TestClients.Create();
        handler.Answer(HttpStatusCode.OK, Canned.Page("p2", Canned.Widget("wdg-1"), Canned.Widget("wdg-2")));
        handler.Answer(HttpStatusCode.OK, Canned.Page("", Canned.Widget("wdg-3")));

        var ids = new List<string>();
        await foreach (var widget in client.Demo.Widgets.ListAllAsync(pageSize: 2))
        {
            ids.Add(widget.Id);
        }

        ids.ShouldBe(["wdg-1", "wdg-2", "wdg-3"]);
        handler.Requests.Select(r => r.Uri.Query).ShouldBe(["?pageSize=2", "?pageSize=2&nextToken=p2"]);
    }

    [Fact]
    public async Task Access_key_verbs_use_their_routes()
    {
        var (client, handler, _) = TestClients.Create();
        handler.Fallback = r => r.Method == HttpMethod.Delete
            ? CannedHandler.Response(HttpStatusCode.NoContent)
            : CannedHandler.Response(HttpStatusCode.OK, r.Uri.AbsolutePath == "/v1/iam/access-keys" ? Canned.Page("", Canned.AccessKey()) : Canned.AccessKey());

        await client.Iam.AccessKeys.ListAsync("alice", 5);
        await client.Iam.AccessKeys.GetAsync("NKIA1");
        (await client.Iam.AccessKeys.DeactivateAsync("NKIA1")).AccessKeyId.ShouldBe("NKIAEXAMPLE0001");
        await client.Iam.AccessKeys.ActivateAsync("NKIA1");
        await client.Iam.AccessKeys.DeleteAsync("NKIA1");

        handler.Requests.Select(r => $"{r.Method} {r.Uri.PathAndQuery}").ShouldBe(
        [
            "GET /v1/iam/access-keys?userName=alice&pageSize=5",
            "GET /v1/iam/access-keys/NKIA1",
            "POST /v1/iam/access-keys/NKIA1:deactivate",
            "POST /v1/iam/access-keys/NKIA1:activate",
            "DELETE /v1/iam/access-keys/NKIA1",
        ]);
    }

    [Fact]
    public async Task Update_puts_the_request_and_delete_accepts_202()
    {
        var (client, handler, _) = TestClients.Create();
        handler.Answer(HttpStatusCode.OK, Canned.Widget(version: 3));
        handler.Answer(HttpStatusCode.Accepted);

        var updated = await client.Demo.Widgets.UpdateAsync("wdg-1", new UpdateWidgetRequest { Version = 2, Spec = new WidgetSpec { Message = "new" } });
        await client.Demo.Widgets.DeleteAsync("wdg-1");

        updated.Version.ShouldBe(3);
        handler.Requests[0].Method.ShouldBe(HttpMethod.Put);
        handler.Requests[0].BodyText.ShouldBe("""{"version":2,"tags":null,"spec":{"message":"new","copies":null}}""");
        handler.Requests[1].Method.ShouldBe(HttpMethod.Delete);
    }

    [Fact]
    public async Task Wait_for_phase_polls_until_the_widget_is_ready()
    {
        var (client, handler, time) = TestClients.Create();
        handler.Answer(HttpStatusCode.OK, Canned.Widget(phase: "pending", observedVersion: 0));
        handler.Answer(HttpStatusCode.OK, Canned.Widget(phase: "pending", observedVersion: 0));
        handler.Answer(HttpStatusCode.OK, Canned.Widget(phase: "ready"));

        var widget = await client.Demo.Widgets.WaitForPhaseAsync("wdg-0001", "ready", TimeSpan.FromSeconds(30));

        widget.Status.Phase.ShouldBe("ready");
        handler.Requests.Count.ShouldBe(3);
        time.Delays.ShouldBe([TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(750)]);
    }

    [Fact]
    public async Task Wait_for_phase_ignores_a_ready_status_older_than_the_update()
    {
        var (client, handler, _) = TestClients.Create();
        handler.Answer(HttpStatusCode.OK, Canned.Widget(phase: "ready", version: 2, observedVersion: 1));
        handler.Answer(HttpStatusCode.OK, Canned.Widget(phase: "ready", version: 3, observedVersion: 2));

        var widget = await client.Demo.Widgets.WaitForPhaseAsync("wdg-0001", "ready", TimeSpan.FromSeconds(30), minObservedVersion: 2);

        widget.Status.ObservedVersion.ShouldBe(2);
        handler.Requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task Wait_for_phase_times_out_with_the_last_seen_resource()
    {
        var (client, handler, _) = TestClients.Create();
        handler.Fallback = _ => CannedHandler.Response(HttpStatusCode.OK, Canned.Widget(phase: "pending"));

        var error = await Should.ThrowAsync<NimbusWaitException>(() => client.Demo.Widgets.WaitForPhaseAsync("wdg-0001", "ready", TimeSpan.FromSeconds(5)));

        error.Code.ShouldBe("WaitTimeout");
        error.Message.ShouldBe("wdg-0001 is still pending after 5s, not ready.");
        error.LastSeen!.Status.Phase.ShouldBe("pending");
    }

    [Fact]
    public async Task Wait_for_phase_stops_when_the_widget_failed()
    {
        var (client, handler, _) = TestClients.Create();
        handler.Answer(HttpStatusCode.OK, Canned.Widget(phase: "failed"));

        var error = await Should.ThrowAsync<NimbusWaitException>(() => client.Demo.Widgets.WaitForPhaseAsync("wdg-0001", "ready", TimeSpan.FromSeconds(5)));

        error.Code.ShouldBe("ResourceFailed");
        error.IsTransient.ShouldBeFalse();
    }

    [Fact]
    public async Task Wait_for_deleted_returns_once_the_widget_answers_404()
    {
        var (client, handler, _) = TestClients.Create();
        handler.Answer(HttpStatusCode.OK, Canned.Widget(phase: "deleting"));
        handler.Answer(HttpStatusCode.NotFound, Canned.Problem("NotFound", "gone"), "application/problem+json");

        await client.Demo.Widgets.WaitForDeletedAsync("wdg-0001", TimeSpan.FromSeconds(30));

        handler.Requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task Spec_as_reads_the_kind_specific_spec()
    {
        var (client, handler, _) = TestClients.Create();
        handler.Answer(HttpStatusCode.OK, Canned.Widget(message: "hello", copies: 3));

        var widget = await client.Demo.Widgets.GetAsync("wdg-0001");

        widget.SpecAs<WidgetSpec>().ShouldBe(new WidgetSpec { Message = "hello", Copies = 3 });
        widget.Tags.ShouldBeEmpty();
        widget.CreatedAt.ShouldBe(new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero));
    }

    [Fact]
    public async Task Low_level_send_returns_status_headers_and_body()
    {
        var (client, handler, _) = TestClients.Create();
        handler.Answer(HttpStatusCode.Created, Canned.Widget(), "application/json", ("Location", "/v1/demo/widgets/wdg-0001"), ("X-Request-Id", "req-7"));

        var response = await client.SendAsync(HttpMethod.Post, "/v1/demo/widgets", new CreateWidgetRequest { Name = "w" }, NimbusRequestOptions.WithNewIdempotencyKey());

        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        response.RequestId.ShouldBe("req-7");
        response.Location.ShouldBe(new Uri("/v1/demo/widgets/wdg-0001", UriKind.Relative));
        response.ReadJson<Nimbus.Contracts.Resources.ResourceDto>().Id.ShouldBe("wdg-0001");
        handler.Requests.ShouldHaveSingleItem().Header("Idempotency-Key")!.Length.ShouldBe(32);
    }

    [Fact]
    public void Client_without_credentials_is_a_configuration_error()
    {
        Should.Throw<NimbusConfigurationException>(() => new NimbusClient(new NimbusClientOptions(), new CannedHandler()));
    }
}
