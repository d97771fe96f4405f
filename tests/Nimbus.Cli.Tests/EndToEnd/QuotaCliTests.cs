using System.Net;
using Nimbus.Cli.Tests.EndToEnd.Support;
using Nimbus.Cli.Tests.Fakes;
using Nimbus.Contracts.Demo;
using Nimbus.Contracts.Errors;
using Nimbus.Sdk;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Cli.Tests.EndToEnd;

/// <summary><c>client.Quotas</c> and <c>nimbus quota list|set</c> against a real server, and the worked example of docs/quotas.md.</summary>
public sealed class QuotaCliTests : IAsyncLifetime
{
    private NimbusServer _server = null!;
    private CliRun _cli = null!;

    public async Task InitializeAsync()
    {
        _server = await NimbusServer.StartAsync();
        _cli = new CliRun(handler: null, withCredentials: false);
        var configure = await _cli.RunAsync(["configure", "--from-bootstrap", _server.DataDirectory]);
        configure.ExitCode.ShouldBe(0, configure.ToString());
    }

    public async Task DisposeAsync()
    {
        _cli.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Sdk_sets_and_lists_quotas_and_surfaces_quota_exceeded_with_its_figures()
    {
        using var client = Clients.For(_server);
        var set = await client.Quotas.SetAsync("demo.widgets", 1);
        set.Limit.ShouldBe(1);
        set.IsOverridden.ShouldBeTrue();
        await client.Demo.Widgets.CreateAsync(new CreateWidgetRequest { Name = "only", Spec = new WidgetSpec { Message = "m" } });

        var error = await Should.ThrowAsync<NimbusApiException>(() => client.Demo.Widgets.CreateAsync(new CreateWidgetRequest { Name = "more", Spec = new WidgetSpec { Message = "m" } }));
        error.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        error.Code.ShouldBe(ErrorCodes.QuotaExceeded);
        error.Problem.Quota.ShouldBe(new QuotaProblemDto { Code = "demo.widgets", Limit = 1, Usage = 1, Requested = 1 });

        var list = await client.Quotas.ListAsync(_server.Admin.Account);
        list.Items.Single(q => q.Code == "demo.widgets").Usage.ShouldBe(1);
        var invalid = await Should.ThrowAsync<NimbusApiException>(() => client.Quotas.SetAsync("demo.widgets", -5, "nope"));
        invalid.Errors.Select(e => e.Field).ShouldBe(["account", "limit"]);
    }

    [Fact]
    public async Task Quota_list_prints_yaml_and_set_needs_code_and_limit()
    {
        var yaml = await _cli.RunAsync(["quota", "list", "--output", "yaml"]);
        yaml.ExitCode.ShouldBe(0, yaml.ToString());
        yaml.Stdout.ShouldStartWith($"account: \"{_server.Admin.Account}\"\nitems:\n");
        yaml.Stdout.ShouldContain("code: demo.widgets");

        var missing = await _cli.RunAsync(["quota", "set", "--code", "demo.widgets"]);
        missing.ExitCode.ShouldBe(2, missing.ToString());
        missing.Stderr.ShouldContain("--limit");
        var unknown = await _cli.RunAsync(["quota", "set", "--code", "demo.gadgets", "--limit", "1"]);
        unknown.ExitCode.ShouldBe(1, unknown.ToString());
        unknown.Stderr.ShouldStartWith("error: NotFound: Quota 'demo.gadgets' was not found.\n");
    }

    [Fact]
    public async Task Worked_example_of_the_quota_docs_runs_as_written()
    {
        var account = _server.Admin.Account;
        var steps = ReadWorkedExample();
        steps.Count.ShouldBeGreaterThan(5);
        foreach (var (command, expected) in steps)
        {
            var args = command.Replace("<account>", account, StringComparison.Ordinal).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..];
            var result = await _cli.RunAsync(args);
            var lines = expected.Select(l => l.Replace("<account>", account, StringComparison.Ordinal)).ToList();
            if (lines.Count > 0 && lines[0].StartsWith("error: ", StringComparison.Ordinal))
            {
                result.ExitCode.ShouldBe(1, $"{command}\n{result}");
                result.Stderr.ShouldStartWith(lines[0] + "\n", Case.Sensitive, $"{command}\n{result}");
                continue;
            }

            result.ExitCode.ShouldBe(0, $"{command}\n{result}");
            if (args[0] == "quota" && !args.Contains("--output"))
            {
                result.Stdout.ShouldBe(string.Concat(lines.Select(l => l + "\n")), $"{command}\n{result}");
            }
        }

        var json = (await _cli.RunAsync(["quota", "list", "--account", account, "--output", "json"])).Stdout.ParseJson();
        json.Str("account").ShouldBe(account);
        var widgets = json.GetProperty("items").EnumerateArray().Single(i => i.Str("code") == "demo.widgets");
        widgets.GetProperty("usage").GetInt64().ShouldBe(3);
        widgets.GetProperty("limit").GetInt64().ShouldBe(3);
        widgets.GetProperty("isOverridden").GetBoolean().ShouldBeTrue();
    }

    // The first ```console block after "### Worked example": "$ nimbus ..." lines, each followed by its expected output.
    private static List<(string Command, List<string> Output)> ReadWorkedExample() =>
        Repository.ConsoleExample("quotas.md", "### Worked example");
}
