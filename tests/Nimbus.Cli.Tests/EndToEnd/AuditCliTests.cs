using System.Text;
using System.Text.Json;
using Nimbus.Cli.Tests.EndToEnd.Support;
using Nimbus.Cli.Tests.Fakes;
using Nimbus.Contracts.Audit;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk;
using Nimbus.Sdk.Audit;
using Nimbus.Sdk.Json;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Cli.Tests.EndToEnd;

/// <summary>The SDK's <c>client.Audit</c> and <c>nimbus audit events ...</c> against a real server, and every CLI example of docs/audit.md.</summary>
public sealed class AuditCliTests : IAsyncLifetime
{
    private NimbusServer _server = null!;
    private NimbusClient _client = null!;
    private CliRun _cli = null!;

    public async Task InitializeAsync()
    {
        _server = await NimbusServer.StartAsync();
        _client = Clients.For(_server);
        _cli = new CliRun(handler: null, withCredentials: false);
        var configure = await _cli.RunAsync(["configure", "--from-bootstrap", _server.DataDirectory]);
        configure.ExitCode.ShouldBe(0, configure.ToString());
    }

    public async Task DisposeAsync()
    {
        _cli.Dispose();
        _client.Dispose();
        await _server.DisposeAsync();
    }

    private async Task<string> MakeActivityAsync()
    {
        var key = await _client.Iam.AccessKeys.CreateAsync("admin");
        await _client.Iam.AccessKeys.ListAsync();
        await _client.Demo.Widgets.ListAsync();
        using var anonymous = _server.AnonymousHttpClient();
        (await anonymous.GetAsync("/v1/iam/access-keys")).StatusCode.ShouldBe(System.Net.HttpStatusCode.Unauthorized);
        return key.SecretAccessKey;
    }

    [Fact]
    public async Task Sdk_lists_filters_pages_and_exports_events()
    {
        var secret = await MakeActivityAsync();

        var iam = new AuditEventFilter { Since = "1h", Principal = "admin", Action = "iam:*" };
        var all = new List<AuditEventDto>();
        await foreach (var e in _client.Audit.ListAllEventsAsync(iam, pageSize: 1))
        {
            all.Add(e);
        }

        all.Select(e => e.Action).ShouldBe(["iam:ListAccessKeys", "iam:CreateAccessKey"]);
        all[1].RequestParameters!.Value.GetRawText().ShouldBe("""{"userName":"admin"}""");
        var first = await _client.Audit.ListEventsAsync(iam, pageSize: 1);
        first.Items.Single().Action.ShouldBe("iam:ListAccessKeys");
        first.NextToken.ShouldNotBeNull();

        var denied = new List<AuditEventDto>();
        await foreach (var e in _client.Audit.ExportAsync(new AuditEventFilter { Outcome = "denied" }))
        {
            denied.Add(e);
        }

        denied.Single().ErrorCode.ShouldBe("MissingAuthentication");
        var raw = Encoding.UTF8.GetString((await _client.Audit.ExportRawAsync()).Span);
        raw.ShouldNotContain(secret);
        raw.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBeGreaterThanOrEqualTo(5);
    }

    [Fact]
    public async Task Cli_lists_events_as_table_json_and_yaml_and_exports_json_lines()
    {
        await MakeActivityAsync();

        var table = await _cli.RunAsync(["audit", "events", "list", "--action", "iam:*", "--principal", "admin"]);
        table.ExitCode.ShouldBe(0, table.ToString());
        var lines = table.Stdout.TrimEnd('\n').Split('\n');
        lines[0].ShouldStartWith("TIME");
        lines[0].ShouldContain("REQUEST ID");
        lines.Length.ShouldBe(3);
        lines[1].ShouldContain("iam:ListAccessKeys");
        lines[1].ShouldContain("allowed");
        lines[2].ShouldContain("iam:CreateAccessKey");

        var json = await _cli.RunAsync(["audit", "events", "list", "--outcome", "denied", "--output", "json"]);
        json.ExitCode.ShouldBe(0, json.ToString());
        var page = JsonSerializer.Deserialize<PageDto<AuditEventDto>>(json.Stdout, NimbusJson.Options)!;
        page.Items.Single().Status.ShouldBe(401);

        var yaml = await _cli.RunAsync(["audit", "events", "list", "--outcome", "denied", "-o", "yaml"]);
        yaml.ExitCode.ShouldBe(0, yaml.ToString());
        yaml.Stdout.ShouldContain("errorCode: MissingAuthentication");

        var export = await _cli.RunAsync(["audit", "events", "export", "--action", "demo:*"]);
        export.ExitCode.ShouldBe(0, export.ToString());
        var exported = export.Stdout.TrimEnd('\n').Split('\n').Select(l => JsonSerializer.Deserialize<AuditEventDto>(l, NimbusJson.Options)!).ToList();
        exported.Select(e => e.Action).ShouldBe(["demo:ListWidgets"]);

        var bad = await _cli.RunAsync(["audit", "events", "list", "--since", "yesterday"]);
        bad.ExitCode.ShouldNotBe(0);
        bad.Stderr.ShouldContain("InvalidParameter");
        bad.Stderr.ShouldContain("since");
    }

    [Fact]
    public async Task Every_cli_example_in_docs_audit_md_runs()
    {
        await MakeActivityAsync();
        var examples = DocExamples();
        examples.Count.ShouldBeGreaterThanOrEqualTo(5);
        foreach (var (args, redirect) in examples)
        {
            var result = await _cli.RunAsync(args);
            result.ExitCode.ShouldBe(0, string.Join(' ', args) + "\n" + result);
            result.Stdout.ShouldNotBeEmpty(string.Join(' ', args));
            if (redirect is not null)
            {
                foreach (var line in result.Stdout.TrimEnd('\n').Split('\n'))
                {
                    JsonSerializer.Deserialize<AuditEventDto>(line, NimbusJson.Options)!.Action!.ShouldStartWith("iam:");
                }
            }
        }
    }

    /// <summary>The <c>nimbus audit ...</c> lines of the doc's sh blocks, split as a shell would (single quotes, <c>&gt; file</c>).</summary>
    private static List<(string[] Args, string? Redirect)> DocExamples()
    {
        var examples = new List<(string[], string?)>();
        foreach (var line in Repository.DocLines("audit.md"))
        {
            if (!line.StartsWith("nimbus audit ", StringComparison.Ordinal))
            {
                continue;
            }

            var words = new List<string>();
            var current = new StringBuilder();
            var quoted = false;
            foreach (var c in line["nimbus ".Length..])
            {
                if (c == '\'')
                {
                    quoted = !quoted;
                }
                else if (c == ' ' && !quoted)
                {
                    if (current.Length > 0)
                    {
                        words.Add(current.ToString());
                        current.Clear();
                    }
                }
                else
                {
                    current.Append(c);
                }
            }

            words.Add(current.ToString());
            var arrow = words.IndexOf(">");
            examples.Add(arrow < 0 ? ([.. words], null) : ([.. words[..arrow]], words[arrow + 1]));
        }

        return examples;
    }
}
