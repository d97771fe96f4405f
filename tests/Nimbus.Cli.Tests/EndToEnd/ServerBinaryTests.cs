using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Nimbus.Cli.Tests.EndToEnd.Support;
using Nimbus.Contracts.Demo;
using Nimbus.Contracts.Signing;
using Nimbus.Sdk;
using Nimbus.Sdk.Demo;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Cli.Tests.EndToEnd;

/// <summary>The server as operators run it: <c>dotnet nimbus-server.dll --data-dir D --api-port 0</c>, stopped with SIGTERM.</summary>
public sealed class ServerBinaryTests : IAsyncLifetime
{
    private const string EndpointPrefix = "  API endpoint:       ";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Whether SIGINT is in this process's ignored-signal mask (bit 1 of <c>SigIgn</c> in /proc/self/status).</summary>
    private static bool SigIntIgnoredHere()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & (1UL << 1)) != 0;
    }

    private readonly TempDirectory _work = new("nimbus-server-binary");
    private readonly List<ChildProcess> _processes = [];

    private string DataDirectory => Path.Combine(_work.Path, "data");

    private string CredentialsPath => Path.Combine(DataDirectory, "bootstrap-credentials.json");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        _work.Dispose();
    }

    private async Task<(ChildProcess Server, Uri Endpoint)> StartServerAsync()
    {
        var server = ChildProcess.Start(Binaries.Server, ["--data-dir", DataDirectory, "--api-port", "0", "--s3-port", "0"], _work.Path);
        _processes.Add(server);
        var line = await server.WaitForLineAsync(l => l.StartsWith(EndpointPrefix, StringComparison.Ordinal), StartTimeout, "'API endpoint:' line");
        await server.WaitForLineAsync(l => l == "Press Ctrl-C to stop.", StartTimeout, "end of the start banner");
        return (server, new Uri(line[EndpointPrefix.Length..]));
    }

    /// <summary>What the program printed itself, without the log lines (which start with a timestamp).</summary>
    private static List<string> ProgramLines(ChildProcess process) =>
        process.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => !System.Text.RegularExpressions.Regex.IsMatch(l, @"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z "))
            .ToList();

    private SigV4Credentials ReadAdminCredentials()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(CredentialsPath));
        var root = document.RootElement;
        return new SigV4Credentials(root.GetProperty("accessKeyId").GetString()!, root.GetProperty("secretAccessKey").GetString()!);
    }

    private static NimbusClient ClientFor(Uri endpoint, SigV4Credentials credentials) =>
        new(new NimbusClientOptions { Endpoint = endpoint, Credentials = credentials, WaitPollInterval = TimeSpan.FromMilliseconds(50) });

    private static async Task<bool> AcceptsConnectionsAsync(Uri endpoint)
    {
        using var socket = new TcpClient();
        try
        {
            await socket.ConnectAsync(endpoint.Host, endpoint.Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    [Theory]
    [InlineData("SIGTERM", ChildProcess.Sigterm)]
    [InlineData("SIGINT (Ctrl-C)", ChildProcess.Sigint)]
    public async Task Server_binary_prints_its_endpoint_writes_0600_credentials_answers_healthz_and_stops_cleanly_on_a_signal(string name, int signal)
    {
        var (server, endpoint) = await StartServerAsync();

        endpoint.Host.ShouldBe("127.0.0.1");
        endpoint.Port.ShouldBeGreaterThan(0);
        var lines = ProgramLines(server);
        lines[2].ShouldStartWith("  S3 endpoint:        http://127.0.0.1:");
        lines[2].ShouldEndWith("  (region local, path style, or virtual-host style as <bucket>.s3.localhost)");
        lines.RemoveAt(2);
        lines.ShouldBe(
        [
            "Nimbus is up.",
            $"{EndpointPrefix}http://127.0.0.1:{endpoint.Port}",
            $"  Admin credentials:  {CredentialsPath}",
            $"  Data directory:     {DataDirectory}",
            $"Configure the CLI with: ./nimbus configure --from-bootstrap {DataDirectory}",
            "Press Ctrl-C to stop.",
        ]);
        File.GetUnixFileMode(CredentialsPath).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.GetUnixFileMode(Path.Combine(DataDirectory, "master.key")).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.GetUnixFileMode(DataDirectory).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        using (var document = JsonDocument.Parse(File.ReadAllBytes(CredentialsPath)))
        {
            document.RootElement.GetProperty("endpoint").GetString().ShouldBe($"http://127.0.0.1:{endpoint.Port}");
            document.RootElement.GetProperty("region").GetString().ShouldBe("local");
        }

        using (var http = new HttpClient { BaseAddress = endpoint })
        {
            using var health = await http.GetAsync("/healthz");
            health.StatusCode.ShouldBe(HttpStatusCode.OK);
            (await health.Content.ReadAsStringAsync()).ShouldBe("""{"status":"ok"}""");
        }

        using (var client = ClientFor(endpoint, ReadAdminCredentials()))
        {
            (await client.Sts.GetCallerIdentityAsync()).AccessKeyId.ShouldBe(ReadAdminCredentials().AccessKeyId);
        }

        if (signal == 2 && SigIntIgnoredHere())
        {
            // A shell starts background jobs with SIGINT ignored and children inherit that; the server then (rightly,
            // as every Unix program) never sees Ctrl-C. Say so instead of timing out.
            throw new InvalidOperationException("This test process was started with SIGINT ignored (a background job of a shell), so its child cannot receive Ctrl-C: run the tests in the foreground.");
        }

        server.Signal(signal);

        (await server.WaitForExitAsync(StopTimeout)).ShouldBe(0, $"after {name}:\n{server}");
        ProgramLines(server)[^1].ShouldBe("Nimbus stopped.");
        server.Stderr.ShouldBeEmpty();
        (await AcceptsConnectionsAsync(endpoint)).ShouldBeFalse();
    }

    [Fact]
    public async Task Sigterm_lets_a_request_in_flight_finish_before_the_server_exits()
    {
        var (server, endpoint) = await StartServerAsync();
        var body = Encoding.UTF8.GetBytes("""{"name":"in-flight","spec":{"message":"made it"}}""");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var content = new GatedContent(body, release.Task);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoint, "/v1/demo/widgets")) { Content = content };
        SigV4Signer.Sign(request, ReadAdminCredentials(), "local", "nimbus", DateTimeOffset.UtcNow, SigV4Signer.HashPayload(body));
        request.Headers.ExpectContinue = true;
        using var http = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromMinutes(1) });

        var sending = http.SendAsync(request);
        await Task.WhenAny(content.BodyRequested, sending).WaitAsync(StartTimeout);
        content.BodyRequested.IsCompleted.ShouldBeTrue("the server answered before reading the body: " + (sending.IsCompleted ? (await sending).StatusCode : "?"));

        server.Signal(ChildProcess.Sigterm);
        await Poll.UntilAsync(() => AcceptsConnectionsAsync(endpoint), accepts => !accepts, StopTimeout, "the server stops accepting connections after SIGTERM");
        release.SetResult();

        using var response = await sending.WaitAsync(StopTimeout);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.Created, text);
        var created = text.ParseJson();
        created.Str("name").ShouldBe("in-flight");
        (await server.WaitForExitAsync(StopTimeout)).ShouldBe(0, server.ToString());
        ProgramLines(server)[^1].ShouldBe("Nimbus stopped.");

        // The acknowledged write is on disk: a restart serves it.
        var (_, restarted) = await StartServerAsync();
        using var client = ClientFor(restarted, ReadAdminCredentials());
        (await client.Demo.Widgets.GetAsync(created.Str("id"))).Name.ShouldBe("in-flight");
    }

    [Fact]
    public async Task Second_start_on_the_same_data_directory_keeps_the_admin_access_key_and_the_data()
    {
        var (first, firstEndpoint) = await StartServerAsync();
        var admin = ReadAdminCredentials();
        string widgetId;
        using (var client = ClientFor(firstEndpoint, admin))
        {
            var widget = await client.Demo.Widgets.CreateAsync(new CreateWidgetRequest { Name = "survivor", Spec = new WidgetSpec { Message = "still here" } });
            widgetId = (await client.Demo.Widgets.WaitForPhaseAsync(widget.Id, WidgetsClient.ReadyPhase, StopTimeout)).Id;
        }

        first.Signal(ChildProcess.Sigterm);
        (await first.WaitForExitAsync(StopTimeout)).ShouldBe(0, first.ToString());
        first.Stdout.ShouldContain($"with administrator access key {admin.AccessKeyId}");

        var (second, secondEndpoint) = await StartServerAsync();

        ReadAdminCredentials().ShouldBe(admin);
        second.Stdout.ShouldNotContain("Bootstrapped");
        using (var document = JsonDocument.Parse(File.ReadAllBytes(CredentialsPath)))
        {
            document.RootElement.GetProperty("endpoint").GetString().ShouldBe($"http://127.0.0.1:{secondEndpoint.Port}");
        }

        File.GetUnixFileMode(CredentialsPath).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using var again = ClientFor(secondEndpoint, admin);
        (await again.Sts.GetCallerIdentityAsync()).AccessKeyId.ShouldBe(admin.AccessKeyId);
        var survivor = await again.Demo.Widgets.GetAsync(widgetId);
        survivor.Name.ShouldBe("survivor");
        survivor.Status.Phase.ShouldBe("ready");
        (await File.ReadAllTextAsync(Path.Combine(DataDirectory, "widgets", widgetId + ".txt"))).ShouldBe("still here\n");
    }

    [Theory]
    [InlineData("--api-port nope", "nimbus up: --api-port must be a whole number from 0 to 65535, not 'nope'")]
    [InlineData("--api-port 70000", "nimbus up: --api-port must be a whole number from 0 to 65535, not '70000'")]
    [InlineData("--api-port", "nimbus up: option '--api-port' needs a value")]
    [InlineData("--log-format xml", "nimbus up: log format must be 'text' or 'json'")]
    [InlineData("--frobnicate 1", "nimbus up: unknown option '--frobnicate'. Options: --data-dir, --api-port, --s3-port, --s3-domain, --listen, --region, --store, --max-body-bytes, --rate-limit, --rate-limit-burst, --audit-retention-days, --log-format, --log-level, --console-log-max-bytes, --cpu-overcommit-ratio, --network-cidr, --network-bridge, --eip-pool, --eip-device")]
    [InlineData("--network-cidr 8.8.8.0/24", "nimbus up: --network-cidr '8.8.8.0/24' must be inside 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10")]
    [InlineData("--eip-pool 127.100.0.1/24", "nimbus up: --eip-pool '127.100.0.1/24' is not a network address (did you mean 127.100.0.0/24?)")]
    [InlineData("--network-bridge Bad!Name", "nimbus up: --network-bridge 'Bad!Name' must be 1 to 15 lower-case letters, digits, '-' and '_'")]
    public async Task Bad_option_exits_2_with_a_clear_message_and_starts_nothing(string options, string message)
    {
        string[] args = ["--data-dir", DataDirectory, .. options.Split(' ')];

        var result = await ChildProcess.RunAsync(Binaries.Server, args, _work.Path);

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stdout.ShouldBeEmpty();
        result.Stderr.ShouldBe(message + "\n");
        Directory.Exists(DataDirectory).ShouldBeFalse();
    }

    [Fact]
    public async Task Port_already_in_use_exits_1_saying_so()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;

        var result = await ChildProcess.RunAsync(Binaries.Server, ["--data-dir", DataDirectory, "--api-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--s3-port", "0"], _work.Path);

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stdout.ShouldNotContain("Nimbus is up.");
        result.Stderr.ShouldStartWith("nimbus up: ");
        result.Stderr.ShouldContain($"127.0.0.1:{port}");
        result.Stderr.ShouldEndWith("Is Nimbus already running? Pick other ports with --api-port and --s3-port.\n");
        result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(1, result.Stderr);
    }
}
