using System.Globalization;
using Nimbus.Contracts.Network;
using Nimbus.Sdk.Compute;
using Nimbus.Sdk.Network;
using Shouldly;
using Xunit;

namespace Nimbus.Compute.Tests;

/// <summary>
/// A port forward seen from another machine: a network namespace the test makes stands for it, joined to the host by a
/// veth pair that carries a routed elastic IP pool (198.18.254.0/28, the benchmarking range: it never leaves this
/// host). Its connection to the gateway's elastic IP is DNATed in <c>prerouting</c> and forwarded into the private,
/// isolated VPC, and the replies come back: what the network table's forward chain lets through for DNATed connections.
/// </summary>
public sealed class NatPortForwardOutsideTests : IAsyncLifetime
{
    private const string Pool = "198.18.254.0/28";
    private const string HostSide = "198.18.253.1";
    private const string OutsideSide = "198.18.253.2";
    private readonly string _suffix = Random.Shared.Next(0x10000, 0xfffff).ToString("x", CultureInfo.InvariantCulture);
    private ComputeServer _server = null!;

    private string Outside => "pfout" + _suffix;

    private string HostEnd => "pfh" + _suffix;

    public async Task InitializeAsync()
    {
        Prerequisites.RequireNetworkHost();
        foreach (var command in new[]
        {
            new[] { "netns", "add", Outside },
            ["link", "add", HostEnd, "type", "veth", "peer", "name", "pfo" + _suffix],
            ["link", "set", "pfo" + _suffix, "netns", Outside],
            ["addr", "add", HostSide + "/30", "dev", HostEnd],
            ["link", "set", HostEnd, "up"],
            ["-n", Outside, "addr", "add", OutsideSide + "/30", "dev", "pfo" + _suffix],
            ["-n", Outside, "link", "set", "pfo" + _suffix, "up"],
            ["-n", Outside, "route", "add", "default", "via", HostSide],
        })
        {
            var made = await Host.RunAsync("ip", command);
            made.ExitCode.ShouldBe(0, "ip " + string.Join(' ', command) + ": " + made.Stderr);
        }

        _server = await ComputeServer.StartAsync(o => o with { NetworkEipPool = Pool, NetworkEipDevice = HostEnd });
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (_server is not null)
            {
                await _server.DisposeAsync();
            }
        }
        finally
        {
            await Host.RunAsync("ip", ["netns", "del", Outside]);
            await Host.RunAsync("ip", ["link", "del", HostEnd]);
        }
    }

    [Fact]
    public async Task Another_machine_reaches_a_private_instance_through_a_port_forward_of_a_routed_elastic_ip()
    {
        var network = _server.Client.Network;
        var (_, subnet, open) = await VpcDataPathTests.VpcAsync(_server, "pfo", 1);
        var app = await VpcDataPathTests.RunAsync(_server, "app", subnet.Id, open.Id);
        var eip = await network.ElasticIps.AllocateAsync(new AllocateAddressRequest { Name = "pfo-nat" });
        var address = ElasticIpsClient.SpecOf(eip).PublicIp;
        var gateway = await network.NatGateways.CreateAsync(new CreateNatGatewayRequest { SubnetId = subnet.Id, AllocationId = eip.Id });
        (await CurlFromOutsideAsync(address)).ShouldStartWith("error", customMessage: "no forward yet");

        var forward = await network.NatGateways.AddPortForwardAsync(gateway.Id, new CreatePortForwardRequest
        {
            Protocol = "tcp", ExternalPort = 18080, PrivateIpAddress = InstancesClient.PrivateIpAddressOf(app), PrivatePort = 8080,
        });
        (await Poll.UntilAsync(() => CurlFromOutsideAsync(address), r => r == "ok\n", what: "httpd from the other machine through the port forward")).ShouldBe("ok\n");

        await network.NatGateways.RemovePortForwardAsync(gateway.Id, forward.Id);
        (await CurlFromOutsideAsync(address)).ShouldStartWith("error", customMessage: "a removed forward forwards nothing");
    }

    private async Task<string> CurlFromOutsideAsync(string address)
    {
        var (code, stdout, stderr) = await Host.RunAsync("ip", ["netns", "exec", Outside, "curl", "-sS", "--max-time", "2", $"http://{address}:18080/"]);
        return code == 0 ? stdout : "error: " + stderr;
    }
}
