using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Nimbus.Cli.Tests.EndToEnd.Support;
using Nimbus.Cli.Tests.Fakes;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Cli.Tests.EndToEnd;

/// <summary>
/// The CLI in-process (its own streams, its own environment, a real socket handler) against a real server,
/// configured the way a user does it: <c>nimbus configure --from-bootstrap &lt;data-dir&gt;</c>.
/// </summary>
public sealed class CliAgainstServerTests : IAsyncLifetime
{
    private static readonly string[] ResourceProperties = ["id", "kind", "nrn", "account", "name", "tags", "spec", "status", "version", "createdAt", "updatedAt"];

    private NimbusServer _server = null!;
    private CliRun _cli = null!;

    public async Task InitializeAsync()
    {
        _server = await NimbusServer.StartAsync();
        _cli = new CliRun(handler: null, withCredentials: false);
    }

    public async Task DisposeAsync()
    {
        _cli.Dispose();
        await _server.DisposeAsync();
    }

    private Task<CliResult> RunAsync(params string[] args) => _cli.RunAsync(args);

    private async Task ConfigureAsync()
    {
        var result = await RunAsync("configure", "--from-bootstrap", _server.DataDirectory);
        result.ExitCode.ShouldBe(0, result.ToString());
    }

    private static void ShouldSucceed(CliResult result, string stderr = "")
    {
        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stderr.ShouldBe(stderr, result.ToString());
    }

    private static void ShouldBeRequestIdLine(string line) => line.ShouldMatch("^request id: req-[0-9a-z]{20}$");

    [Fact]
    public async Task Configure_from_bootstrap_then_whoami_prints_the_admin_identity_as_table_and_json()
    {
        var configure = await RunAsync("configure", "--from-bootstrap", _server.DataDirectory);

        ShouldSucceed(configure);
        var credentials = Path.Combine(_cli.ConfigDir, "credentials");
        var config = Path.Combine(_cli.ConfigDir, "config");
        configure.Stdout.ShouldBe(
            $"wrote profile 'default' (endpoint {_server.Admin.Endpoint}, region local, access key {_server.Admin.AccessKeyId})\n" +
            $"  credentials: {credentials}\n  config:      {config}\n");
        File.ReadAllText(credentials).ShouldBe($"[default]\naccess_key_id = {_server.Admin.AccessKeyId}\nsecret_access_key = {_server.Admin.SecretAccessKey}\n");
        File.ReadAllText(config).ShouldBe($"[default]\nendpoint = {_server.Admin.Endpoint}\ns3_endpoint = {_server.Admin.S3Endpoint}\nregion = local\n");
        File.GetUnixFileMode(credentials).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var json = await RunAsync("whoami", "--output", "json");
        ShouldSucceed(json);
        var identity = json.Stdout.ParseJson();
        identity.ShouldHaveProperties("account", "principal", "userName", "accessKeyId", "isPlatformAdministrator");
        identity.Str("account").ShouldBe(_server.Admin.Account);
        identity.Str("userName").ShouldBe("admin");
        identity.Str("accessKeyId").ShouldBe(_server.Admin.AccessKeyId);
        identity.GetProperty("isPlatformAdministrator").GetBoolean().ShouldBeTrue();
        var principal = identity.Str("principal");
        principal.ShouldStartWith($"nrn:nimbus:iam::{_server.Admin.Account}:user/usr-");

        var table = await RunAsync("whoami");
        ShouldSucceed(table);
        var account = _server.Admin.Account;
        var key = _server.Admin.AccessKeyId;
        table.Stdout.ShouldBe(
            $"{"ACCOUNT".PadRight(account.Length)}  USER   {"ACCESS KEY ID".PadRight(key.Length)}  ADMIN  PRINCIPAL\n" +
            $"{account}  admin  {key}  yes    {principal}\n");
    }

    [Fact]
    public async Task Access_key_commands_create_list_deactivate_and_delete_a_key()
    {
        await ConfigureAsync();

        var create = await RunAsync("iam", "access-key", "create", "-o", "json");
        ShouldSucceed(create, "warning: this is the only time the secret access key is shown; store it now, it cannot be retrieved later.\n");
        var created = create.Stdout.ParseJson();
        created.ShouldHaveProperties("accessKey", "secretAccessKey");
        created.Str("secretAccessKey").Length.ShouldBe(40);
        var key = created.GetProperty("accessKey");
        key.ShouldHaveProperties("accessKeyId", "account", "userName", "principal", "state", "createdAt", "lastUsedAt");
        var id = key.Str("accessKeyId");
        id.ShouldMatch("^NKIA[A-Z2-7]{16}$");
        key.Str("account").ShouldBe(_server.Admin.Account);
        key.Str("userName").ShouldBe("admin");
        key.Str("state").ShouldBe("active");
        key.GetProperty("lastUsedAt").ValueKind.ShouldBe(JsonValueKind.Null);

        var list = await RunAsync("iam", "access-key", "list", "-o", "json");
        ShouldSucceed(list);
        var page = list.Stdout.ParseJson();
        page.ShouldHaveProperties("items", "nextToken");
        page.GetProperty("items").EnumerateArray().Select(k => k.Str("accessKeyId")).ShouldBe([_server.Admin.AccessKeyId, id]);
        page.GetProperty("nextToken").ValueKind.ShouldBe(JsonValueKind.Null);

        var deactivate = await RunAsync("iam", "access-key", "deactivate", id, "-o", "json");
        ShouldSucceed(deactivate);
        var deactivated = deactivate.Stdout.ParseJson();
        deactivated.Str("accessKeyId").ShouldBe(id);
        deactivated.Str("state").ShouldBe("inactive");

        var table = await RunAsync("iam", "access-key", "list");
        ShouldSucceed(table);
        var lines = table.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(3, table.Stdout);
        lines[0].ShouldMatch("^ACCESS KEY ID +USER +STATE +CREATED +LAST USED$");
        lines[1].ShouldMatch($"^{_server.Admin.AccessKeyId}  admin  active    [0-9-]{{10}} [0-9:]{{8}}Z  (never|[0-9-]{{10}} [0-9:]{{8}}Z)$");
        lines[2].ShouldMatch($"^{id}  admin  inactive  [0-9-]{{10}} [0-9:]{{8}}Z  never$");

        var delete = await RunAsync("iam", "access-key", "delete", id);
        ShouldSucceed(delete);
        delete.Stdout.ShouldBe($"deleted access key {id}\n");

        var get = await RunAsync("iam", "access-key", "get", id);
        get.ExitCode.ShouldBe(1, get.ToString());
        get.Stdout.ShouldBeEmpty();
        var errorLines = get.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        errorLines.Length.ShouldBe(2, get.Stderr);
        errorLines[0].ShouldBe($"error: NotFound: Access key '{id}' was not found.");
        ShouldBeRequestIdLine(errorLines[1]);
    }

    [Fact]
    public async Task Widget_commands_create_wait_list_get_update_and_delete_with_json_output()
    {
        await ConfigureAsync();

        var create = await RunAsync("demo", "widget", "create", "--name", "cli-life", "--message", "hello there", "--tag", "env=lab", "--wait", "-o", "json");
        var created = create.Stdout.ParseJson();
        var id = created.Str("id");
        ShouldSucceed(create, $"waiting for {id} to be ready...\n");
        created.ShouldHaveProperties(ResourceProperties);
        id.ShouldMatch("^wdg-[a-z0-9]{12}$");
        created.Str("kind").ShouldBe("demo/widget");
        created.Str("nrn").ShouldBe($"nrn:nimbus:demo:local:{_server.Admin.Account}:widget/{id}");
        created.Str("account").ShouldBe(_server.Admin.Account);
        created.Str("name").ShouldBe("cli-life");
        created.GetProperty("tags").StringMap().ShouldBe(new Dictionary<string, string> { ["env"] = "lab" });
        created.GetProperty("spec").Compact().ShouldBe("""{"message":"hello there","copies":1}""");
        created.Num("version").ShouldBe(1);
        var status = created.GetProperty("status");
        status.Str("phase").ShouldBe("ready");
        status.Str("message").ShouldBe("12 bytes written");
        status.Num("observedVersion").ShouldBe(1);
        (await File.ReadAllTextAsync(Path.Combine(_server.DataDirectory, "widgets", id + ".txt"))).ShouldBe("hello there\n");

        var list = await RunAsync("demo", "widget", "list", "--tag", "env=lab", "-o", "json");
        ShouldSucceed(list);
        var page = list.Stdout.ParseJson();
        page.ShouldHaveProperties("items", "nextToken");
        page.GetProperty("items").EnumerateArray().Select(w => w.Str("id")).ShouldBe([id]);
        var other = await RunAsync("demo", "widget", "list", "--tag", "env=prod", "-o", "json");
        ShouldSucceed(other);
        other.Stdout.ParseJson().GetProperty("items").GetArrayLength().ShouldBe(0);

        var get = await RunAsync("demo", "widget", "get", id, "-o", "json");
        ShouldSucceed(get);
        var read = get.Stdout.ParseJson();
        read.Str("id").ShouldBe(id);
        read.Num("version").ShouldBe(1);
        read.GetProperty("status").Str("phase").ShouldBe("ready");

        var update = await RunAsync("demo", "widget", "update", id, "--message", "bye", "--copies", "3", "--wait", "-o", "json");
        ShouldSucceed(update, $"waiting for {id} to be ready...\n");
        var updated = update.Stdout.ParseJson();
        updated.Str("id").ShouldBe(id);
        updated.Num("version").ShouldBe(2);
        updated.GetProperty("tags").StringMap().ShouldBe(new Dictionary<string, string> { ["env"] = "lab" });
        updated.GetProperty("spec").Compact().ShouldBe("""{"message":"bye","copies":3}""");
        updated.GetProperty("status").Str("phase").ShouldBe("ready");
        updated.GetProperty("status").Num("observedVersion").ShouldBe(2);
        updated.GetProperty("status").Str("message").ShouldBe("12 bytes written");
        (await File.ReadAllTextAsync(Path.Combine(_server.DataDirectory, "widgets", id + ".txt"))).ShouldBe("bye\nbye\nbye\n");

        var delete = await RunAsync("demo", "widget", "delete", id, "--wait", "-o", "json");
        ShouldSucceed(delete, $"waiting for {id} to be gone...\n");
        delete.Stdout.ShouldBeEmpty();
        var gone = await RunAsync("demo", "widget", "get", id);
        gone.ExitCode.ShouldBe(1, gone.ToString());
        gone.Stderr.ShouldStartWith($"error: NotFound: Widget '{id}' was not found.\nrequest id: req-");
    }

    [Fact]
    public async Task Api_error_exits_1_with_the_code_and_request_id_on_stderr()
    {
        await ConfigureAsync();

        var result = await RunAsync("demo", "widget", "get", "wdg-000000000000", "-o", "json");

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stdout.ShouldBeEmpty();
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(2, result.Stderr);
        lines[0].ShouldBe("error: NotFound: Widget 'wdg-000000000000' was not found.");
        ShouldBeRequestIdLine(lines[1]);
    }

    [Fact]
    public async Task Invalid_fields_exit_1_with_one_line_per_field()
    {
        await ConfigureAsync();

        var result = await RunAsync("demo", "widget", "create", "--name", "no spaces", "--message", "m", "--tag", "nimbus:x=y");

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stdout.ShouldBeEmpty();
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(4, result.Stderr);
        lines[0].ShouldBe("error: InvalidParameter: 2 fields are invalid.");
        lines[1].ShouldBe("  name: may contain only letters, digits, '.', '_' and '-'");
        lines[2].ShouldBe("  tags.nimbus:x: the 'nimbus:' prefix is reserved for the platform");
        ShouldBeRequestIdLine(lines[3]);
    }

    [Fact]
    public async Task Usage_error_exits_2_and_sends_nothing_to_the_server()
    {
        await ConfigureAsync();

        var result = await RunAsync("demo", "widget", "create", "--name", "no-message");

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stdout.ShouldBeEmpty();
        result.Stderr.ShouldBe("error: Option '--message' is required.\nrun `nimbus demo widget create --help` for usage.\n");
        var list = await RunAsync("demo", "widget", "list", "-o", "json");
        list.Stdout.ParseJson().GetProperty("items").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task Endpoint_with_nothing_listening_exits_3_with_a_hint()
    {
        await ConfigureAsync();
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var result = await RunAsync("whoami", "--endpoint", $"http://127.0.0.1:{port}");

        result.ExitCode.ShouldBe(3, result.ToString());
        result.Stdout.ShouldBeEmpty();
        result.Stderr.ShouldBe(
            $"error: ConnectionFailed: cannot connect to http://127.0.0.1:{port}/: Connection refused\n" +
            "hint: is Nimbus running? Start it with `./nimbus up`, or point --endpoint / NIMBUS_ENDPOINT at a running server.\n");
    }

    [Fact]
    public async Task Widget_list_pages_with_a_next_token_hint_and_reads_every_page_with_all()
    {
        await ConfigureAsync();
        using var client = Clients.For(_server);
        var ids = new List<string>();
        foreach (var name in new[] { "p-a", "p-b", "p-c" })
        {
            ids.Add((await client.Demo.Widgets.CreateAsync(new() { Name = name, Spec = new() { Message = "m" } })).Id);
        }

        var first = await RunAsync("demo", "widget", "list", "--page-size", "2");
        first.ExitCode.ShouldBe(0, first.ToString());
        var lines = first.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(3, first.Stdout);
        lines[0].ShouldMatch("^ID +NAME +PHASE +COPIES +MESSAGE +TAGS +VERSION +CREATED$");
        lines[1].ShouldStartWith(ids[0] + "  p-a  ");
        lines[2].ShouldStartWith(ids[1] + "  p-b  ");
        var hint = System.Text.RegularExpressions.Regex.Match(first.Stderr, "^more results: add --next-token (\\S+), or --all for every page\n$");
        hint.Success.ShouldBeTrue(first.Stderr);

        var next = await RunAsync("demo", "widget", "list", "--page-size", "2", "--next-token", hint.Groups[1].Value, "-o", "json");
        ShouldSucceed(next);
        var page = next.Stdout.ParseJson();
        page.GetProperty("items").EnumerateArray().Select(w => w.Str("id")).ShouldBe([ids[2]]);
        page.GetProperty("nextToken").ValueKind.ShouldBe(JsonValueKind.Null);

        var all = await RunAsync("demo", "widget", "list", "--page-size", "2", "--all", "-o", "json");
        ShouldSucceed(all);
        all.Stdout.ParseJson().GetProperty("items").EnumerateArray().Select(w => w.Str("id")).ShouldBe(ids);
    }

    [Fact]
    public async Task Whoami_as_yaml_quotes_the_numeric_account_id()
    {
        await ConfigureAsync();
        var identity = await RunAsync("whoami", "-o", "json");

        var yaml = await RunAsync("whoami", "-o", "yaml");

        ShouldSucceed(yaml);
        var principal = identity.Stdout.ParseJson().Str("principal");
        yaml.Stdout.ShouldBe(
            $"account: \"{_server.Admin.Account}\"\n" +
            $"principal: {principal}\n" +
            "userName: admin\n" +
            $"accessKeyId: {_server.Admin.AccessKeyId}\n" +
            "isPlatformAdministrator: true\n");
    }
}
