using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Nimbus.Sdk.Network;
using Shouldly;
using Xunit;

namespace Nimbus.Compute.Tests;

/// <summary>
/// The two-tier walkthrough of docs/network.md, command by command through the real CLI against a real server, with
/// the traffic claims it makes checked: web answers the host on its elastic IP, app does not answer the host, web
/// reaches app on 8080, app reaches a host-side server only once its subnet routes to the NAT gateway (from the
/// gateway's elastic IP), and the port forward is still subject to app's group. The page's ranges (10.30.0.0/24) and
/// host server (198.18.0.1:9000) are swapped for this server's own, so that parallel tests never share them.
/// </summary>
public sealed partial class TwoTierWalkthroughTests : IAsyncLifetime
{
    private const string DocVpcCidr = "10.30.0.0/24";
    private const string DocPrefix = "10.30.0.";
    private const string DocHostServer = "198.18.0.1:9000";
    private const string HostAddress = "198.18.252.1";
    private ComputeServer _server = null!;
    private TempDirectory _home = null!;

    public async Task InitializeAsync()
    {
        Prerequisites.RequireNetworkHost();
        _server = await ComputeServer.StartAsync();
        _home = new TempDirectory("nimbus-cli-home");
        await Host.RunAsync("ip", ["addr", "del", HostAddress + "/32", "dev", "lo"]);
        var address = await Host.RunAsync("ip", ["addr", "add", HostAddress + "/32", "dev", "lo"]);
        address.ExitCode.ShouldBe(0, "the test needs an address on lo for its host-side server: " + address.Stderr);
    }

    public async Task DisposeAsync()
    {
        await Host.RunAsync("ip", ["addr", "del", HostAddress + "/32", "dev", "lo"]);
        await _server.DisposeAsync();
        _home.Dispose();
    }

    [Fact]
    public async Task The_two_tier_walkthrough_of_the_network_docs_runs_as_written_and_its_traffic_claims_hold()
    {
        var vpcRange = _server.VpcRange(0);
        var prefix = vpcRange[..(vpcRange.LastIndexOf('.') + 1)];
        using var hostServer = new HostServer(HostAddress);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var mismatches = new List<string>();
        string Local(string text) => text.Replace(DocVpcCidr, vpcRange, StringComparison.Ordinal).Replace(DocPrefix, prefix, StringComparison.Ordinal)
            .Replace(DocHostServer, hostServer.Endpoint, StringComparison.Ordinal);
        var appIp = prefix + "18";

        foreach (var (docCommand, expected) in Repository.ConsoleExample("network.md", "## Walkthrough: a two-tier app", minSteps: 20))
        {
            var command = Local(docCommand);
            foreach (var (placeholder, value) in values)
            {
                command = command.Replace(placeholder, value, StringComparison.Ordinal);
            }

            command.ShouldNotContain("<", customMessage: $"`{docCommand}` uses a placeholder the walkthrough has not produced yet");

            // The claims that hold before a step.
            if (docCommand.StartsWith("nimbus compute instance exec <web-id>", StringComparison.Ordinal))
            {
                (await Poll.UntilAsync(() => VpcDataPathTests.FetchAsync(values["<web-id>"], appIp), r => r.StartsWith("hello", StringComparison.Ordinal), what: "app's httpd from web"))
                    .ShouldBe("hello from app\n");
                (await NatPortForwardTests.CurlAsync(appIp, 8080)).ShouldStartWith("error", customMessage: "app does not answer the host (it is no member of web)");
            }
            else if (docCommand.StartsWith("nimbus network route-table associate", StringComparison.Ordinal))
            {
                (await Host.ExecAsync(values["<app-id>"], "timeout", "3", "wget", "-qO-", $"http://{hostServer.Endpoint}/")).ExitCode.ShouldNotBe(0, "app reaches no host server before its route to the NAT gateway");
                hostServer.Sources.ShouldBeEmpty();
            }

            var (code, stdout, stderr) = await _server.RunCliAsync(_home.Path, Arguments(command));
            code.ShouldBe(0, $"{command}\n{stdout}\n{stderr}");
            var actual = (stderr + stdout).Split('\n').Select(l => l.TrimEnd()).ToList();
            Capture(values, docCommand, actual);
            if (docCommand.StartsWith("nimbus network eip allocate --name", StringComparison.Ordinal))
            {
                var name = docCommand.Split(' ')[^1];
                values[$"<{name}-eip>"] = ElasticIpsClient.SpecOf(await _server.Client.Network.ElasticIps.GetAsync(name)).PublicIp;
            }

            foreach (var line in expected.Select(Local))
            {
                var pattern = "^" + Regex.Replace(Regex.Escape(line), @"(\\ )+", @"\s+");
                foreach (var (placeholder, value) in values)
                {
                    pattern = pattern.Replace(Regex.Escape(placeholder), Regex.Escape(value), StringComparison.Ordinal);
                }

                pattern = pattern
                    .Replace("<rule>", "sgr-[a-z0-9]+", StringComparison.Ordinal)
                    .Replace("<sg>", "sg-[a-z0-9]+", StringComparison.Ordinal)
                    .Replace("<eni>", "eni-[a-z0-9]+", StringComparison.Ordinal)
                    .Replace("<eip>", "eipalloc-[a-z0-9]+", StringComparison.Ordinal)
                    .Replace("<time>", @"\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ", StringComparison.Ordinal) + "$";
                if (!actual.Any(l => Regex.IsMatch(l, pattern)))
                {
                    mismatches.Add($"`{docCommand}` should print a line like\n{line}\nbut printed\n{string.Join('\n', actual)}");
                }
            }

            // The claims that hold after a step.
            if (docCommand.StartsWith("nimbus network eip associate web", StringComparison.Ordinal))
            {
                (await Poll.UntilAsync(() => NatPortForwardTests.CurlAsync(values["<web-eip>"], 80), r => !r.StartsWith("error", StringComparison.Ordinal), what: "web on its elastic IP"))
                    .ShouldBe("hello from web\n");
            }
            else if (docCommand.StartsWith("nimbus compute instance exec <app-id>", StringComparison.Ordinal))
            {
                hostServer.Sources.ShouldBe([values["<nat-eip>"]], "the host-side server sees app's connection from the NAT gateway's elastic IP");
            }
            else if (docCommand.StartsWith("nimbus network nat-gateway add-forward", StringComparison.Ordinal))
            {
                (await NatPortForwardTests.CurlAsync(values["<nat-eip>"], 8080)).ShouldStartWith("error", customMessage: "app's group lets 8080 in from web only, forward or not");
            }
        }

        mismatches.ShouldBeEmpty();
        values.Keys.ShouldBe(["<vpc>", "<web>", "<web-sg>", "<app>", "<web-id>", "<app-id>", "<web-eip>", "<nat-eip>", "<ngw>", "<pf>"], ignoreOrder: true);
    }

    /// <summary>Splits a command line at spaces, keeping '...' together (without the quotes), as a shell would here.</summary>
    private static string[] Arguments(string command)
    {
        var args = new List<string>();
        foreach (Match match in Argument().Matches(command))
        {
            args.Add(match.Groups[1].Success ? match.Groups[1].Value : match.Value);
        }

        return [.. args.Skip(1)];
    }

    /// <summary>The ids a step makes, under the placeholders the later steps use.</summary>
    private static void Capture(Dictionary<string, string> values, string docCommand, List<string> lines)
    {
        var (placeholder, id) = docCommand switch
        {
            _ when docCommand.StartsWith("nimbus network vpc create", StringComparison.Ordinal) => ("<vpc>", @"\bvpc-[a-z0-9]{12}\b"),
            _ when docCommand.StartsWith("nimbus network subnet create", StringComparison.Ordinal) => ($"<{docCommand.Split(' ')[^1]}>", @"\bsubnet-[a-z0-9]{12}\b"),
            _ when docCommand.StartsWith("nimbus compute instance run", StringComparison.Ordinal) =>
                ($"<{docCommand.Split(" --name ")[1].Split(' ')[0]}-id>", @"\bi-[a-z0-9]{12}\b"),
            _ when docCommand.StartsWith("nimbus network security-group create web", StringComparison.Ordinal) => ("<web-sg>", @"\bsg-[a-z0-9]{12}\b"),
            _ when docCommand.StartsWith("nimbus network nat-gateway create", StringComparison.Ordinal) => ("<ngw>", @"\bngw-[a-z0-9]{12}\b"),
            _ when docCommand.StartsWith("nimbus network nat-gateway add-forward", StringComparison.Ordinal) => ("<pf>", @"\bpf-[a-z0-9]{12}\b"),
            _ => (null, null),
        };
        if (placeholder is not null && lines.Select(l => Regex.Match(l, id!)).FirstOrDefault(m => m.Success) is { } match)
        {
            values[placeholder] = match.Value;
        }
    }

    [GeneratedRegex(@"'([^']*)'|\S+")]
    private static partial Regex Argument();

    /// <summary>A minimal HTTP server on the host: answers every request with "hello from the host" and records who asked.</summary>
    private sealed class HostServer : IDisposable
    {
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new();
        private readonly List<string> _sources = [];

        public HostServer(string address)
        {
            _listener = new TcpListener(IPAddress.Parse(address), 0);
            _listener.Start();
            Endpoint = string.Create(CultureInfo.InvariantCulture, $"{address}:{((IPEndPoint)_listener.LocalEndpoint).Port}");
            _ = ServeAsync();
        }

        public string Endpoint { get; }

        public IReadOnlyList<string> Sources
        {
            get
            {
                lock (_sources)
                {
                    return [.. _sources];
                }
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Dispose();
            _stop.Dispose();
        }

        private async Task ServeAsync()
        {
            try
            {
                while (true)
                {
                    using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    var source = ((IPEndPoint)client.Client.RemoteEndPoint!).Address;
                    lock (_sources)
                    {
                        _sources.Add((source.IsIPv4MappedToIPv6 ? source.MapToIPv4() : source).ToString());
                    }

                    var stream = client.GetStream();
                    var buffer = new byte[4096];
                    using var read = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                    read.CancelAfter(TimeSpan.FromSeconds(5));
                    _ = await stream.ReadAsync(buffer, read.Token);
                    await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 20\r\n\r\nhello from the host\n"), _stop.Token);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException or IOException)
            {
                // Stopped (or a client went away mid-request: the claims then fail on what the server recorded).
            }
        }
    }
}
