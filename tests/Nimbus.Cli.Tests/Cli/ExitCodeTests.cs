using System.Net;
using System.Net.Sockets;
using Nimbus.Cli.Tests.Fakes;
using Shouldly;
using Xunit;

namespace Nimbus.Cli.Tests.Cli;

public sealed class ExitCodeTests
{
    [Theory]
    [InlineData("nosuch")]
    [InlineData("demo")]
    [InlineData("demo widget")]
    [InlineData("demo widget frobnicate")]
    [InlineData("demo widget create --name w1")]
    [InlineData("demo widget get")]
    [InlineData("demo widget create --name w1 --message m --tag novalue")]
    [InlineData("demo widget create --name w1 --message m --copies 0")]
    [InlineData("demo widget list --page-size -3")]
    [InlineData("demo widget list --output xml")]
    [InlineData("iam access-key get a b")]
    [InlineData("whoami --bogus")]
    public async Task Usage_errors_exit_2_without_calling_the_api(string commandLine)
    {
        var handler = new CannedHandler();
        using var cli = new CliRun(handler);

        var result = await cli.RunAsync(commandLine);

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stderr.ShouldStartWith("error: ");
        result.Stderr.ShouldContain("--help` for usage.");
        result.Stdout.ShouldBeEmpty();
        handler.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Update_with_nothing_to_change_is_a_usage_error()
    {
        var handler = new CannedHandler();
        using var cli = new CliRun(handler);

        var result = await cli.RunAsync("demo widget update wdg-1");

        result.ExitCode.ShouldBe(2);
        result.Stderr.ShouldBe("error: Nothing to update: give --message, --copies or --tag.\n");
        handler.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Missing_credentials_exit_2_with_a_hint()
    {
        using var cli = new CliRun(new CannedHandler(), withCredentials: false);

        var result = await cli.RunAsync("whoami");

        result.ExitCode.ShouldBe(2);
        result.Stderr.ShouldContain("error: InvalidConfiguration: No credentials found for profile 'default': run `nimbus configure`");
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("demo --help")]
    [InlineData("demo widget --help")]
    [InlineData("demo widget create --help")]
    [InlineData("iam access-key --help")]
    [InlineData("iam access-key create -h")]
    [InlineData("configure --help")]
    public async Task Help_works_at_every_level(string commandLine)
    {
        using var cli = new CliRun(new CannedHandler());

        var result = await cli.RunAsync(commandLine);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldContain("Usage:");
        result.Stdout.ShouldContain("nimbus " + commandLine.Replace("--help", "", StringComparison.Ordinal).Replace("-h", "", StringComparison.Ordinal).Trim());
        result.Stderr.ShouldBeEmpty();
    }

    [Fact]
    public async Task Unreachable_endpoint_exits_3_with_a_hint_to_start_nimbus()
    {
        using var cli = new CliRun();
        cli.Environment["NIMBUS_ENDPOINT"] = $"http://127.0.0.1:{UnusedPort()}";

        var result = await cli.RunAsync("whoami");

        result.ExitCode.ShouldBe(3, result.ToString());
        result.Stderr.ShouldStartWith($"error: ConnectionFailed: cannot connect to {cli.Environment["NIMBUS_ENDPOINT"]}/: ");
        result.Stderr.ShouldContain("./nimbus up");
        result.Stdout.ShouldBeEmpty();
    }

    [Fact]
    public async Task Api_errors_exit_1_with_code_message_field_errors_and_request_id()
    {
        var handler = new CannedHandler().Answer(
            HttpStatusCode.BadRequest,
            Canned.Problem("InvalidParameter", "The request has invalid fields.", "req-77", """[{"field":"name","message":"must match [a-zA-Z0-9._-]+"}]"""),
            "application/problem+json");
        using var cli = new CliRun(handler);

        var result = await cli.RunAsync("demo widget create --name bad/name --message m");

        result.ExitCode.ShouldBe(1);
        result.Stderr.ShouldBe("error: InvalidParameter: The request has invalid fields.\n  name: must match [a-zA-Z0-9._-]+\nrequest id: req-77\n");
        result.Stdout.ShouldBeEmpty();
    }

    [Fact]
    public async Task Not_found_exits_1()
    {
        var handler = new CannedHandler().Answer(HttpStatusCode.NotFound, Canned.Problem("NotFound", "Widget wdg-9 does not exist.", "req-8"), "application/problem+json");
        using var cli = new CliRun(handler);

        var result = await cli.RunAsync("demo widget get wdg-9");

        result.ExitCode.ShouldBe(1);
        result.Stderr.ShouldStartWith("error: NotFound: Widget wdg-9 does not exist.\n");
    }

    [Fact]
    public async Task Wait_timeout_exits_1()
    {
        var handler = new CannedHandler();
        handler.Answer(HttpStatusCode.Created, Canned.Widget(phase: "pending", observedVersion: 0));
        handler.Fallback = _ => CannedHandler.Response(HttpStatusCode.OK, Canned.Widget(phase: "pending", observedVersion: 0));
        using var cli = new CliRun(handler);

        var result = await cli.RunAsync("demo widget create --name w1 --message m --wait --timeout 1");

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stderr.ShouldContain("error: WaitTimeout: wdg-0001 is still pending after 1s, not ready.");
    }

    [Fact]
    public async Task Global_options_override_the_environment()
    {
        var handler = new CannedHandler().Answer(HttpStatusCode.OK, """{"account":"1","principal":"p"}""");
        using var cli = new CliRun(handler);

        var result = await cli.RunAsync("whoami --endpoint http://other.test:9 --region r5");

        result.ExitCode.ShouldBe(0, result.ToString());
        var request = handler.Requests.ShouldHaveSingleItem();
        request.Uri.ShouldBe(new Uri("http://other.test:9/v1/sts/caller-identity"));
        request.Header("Authorization")!.ShouldContain("/r5/nimbus/aws4_request");
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
