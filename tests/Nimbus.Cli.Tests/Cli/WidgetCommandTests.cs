using System.Net;
using Nimbus.Cli.Tests.Fakes;
using Shouldly;
using Xunit;

namespace Nimbus.Cli.Tests.Cli;

public sealed class WidgetCommandTests
{
    [Fact]
    public async Task Create_sends_name_spec_and_tags_with_an_idempotency_key()
    {
        var handler = new CannedHandler().Answer(HttpStatusCode.Created, Canned.Widget(phase: "pending"));
        using var cli = new CliRun(handler);

        var result = await cli.RunAsync("demo widget create --name w1 --message hello --copies 3 --tag env=prod --tag team=a=b");

        result.ExitCode.ShouldBe(0, result.ToString());
        var request = handler.Requests.ShouldHaveSingleItem();
        request.Method.ShouldBe(HttpMethod.Post);
        request.Uri.AbsolutePath.ShouldBe("/v1/demo/widgets");
        request.BodyText.ShouldBe("""{"name":"w1","tags":{"env":"prod","team":"a=b"},"spec":{"message":"hello","copies":3}}""");
        request.Header("Idempotency-Key").ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task Create_with_wait_follows_the_phase_to_ready()
    {
        var handler = new CannedHandler()
            .Answer(HttpStatusCode.Created, Canned.Widget(phase: "pending", observedVersion: 0))
            .Answer(HttpStatusCode.OK, Canned.Widget(phase: "ready"));
        using var cli = new CliRun(handler);

        var result = await cli.RunAsync("demo widget create --name w1 --message m --wait");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldContain("wdg-0001  w1    ready");
        result.Stderr.ShouldBe("waiting for wdg-0001 to be ready...\n");
        handler.Requests.Select(r => r.Method.Method).ShouldBe(["POST", "GET"]);
    }

    [Fact]
    public async Task Update_reads_the_version_and_keeps_what_was_not_given()
    {
        var handler = new CannedHandler()
            .Answer(HttpStatusCode.OK, Canned.Widget(message: "old", copies: 4, version: 7))
            .Answer(HttpStatusCode.OK, Canned.Widget(message: "new", copies: 4, version: 8));
        using var cli = new CliRun(handler);

        var result = await cli.RunAsync("demo widget update wdg-0001 --message new");

        result.ExitCode.ShouldBe(0, result.ToString());
        handler.Requests[1].Method.ShouldBe(HttpMethod.Put);
        handler.Requests[1].BodyText.ShouldBe("""{"version":7,"tags":null,"spec":{"message":"new","copies":4}}""");
    }

    [Fact]
    public async Task Delete_with_wait_polls_until_gone()
    {
        var handler = new CannedHandler()
            .Answer(HttpStatusCode.Accepted)
            .Answer(HttpStatusCode.OK, Canned.Widget(phase: "deleting"))
            .Answer(HttpStatusCode.NotFound, Canned.Problem("NotFound", "gone"), "application/problem+json");
        using var cli = new CliRun(handler);

        var result = await cli.RunAsync("demo widget delete wdg-0001 --wait");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldBe("deleted widget wdg-0001\n");
        handler.Requests.Select(r => r.Method.Method).ShouldBe(["DELETE", "GET", "GET"]);
    }

    [Fact]
    public async Task Delete_in_json_mode_prints_nothing_on_stdout()
    {
        var handler = new CannedHandler().Answer(HttpStatusCode.Accepted);
        using var cli = new CliRun(handler);

        var result = await cli.RunAsync("demo widget delete wdg-0001 -o json");

        result.ExitCode.ShouldBe(0);
        result.Stdout.ShouldBeEmpty();
    }
}
