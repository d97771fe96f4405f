using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Nimbus.Contracts.Network;
using Nimbus.Sdk;
using Nimbus.Sdk.Compute;
using Nimbus.Sdk.Network;
using Shouldly;
using Xunit;

namespace Nimbus.Compute.Tests;

/// <summary>
/// NAT gateways for real: a private (non-default VPC) instance reaches a host-side server only while its subnet routes
/// to a NAT gateway, and the server sees the gateway's elastic IP. The server listens on an address the test adds to
/// <c>lo</c> (198.18.0.0/15, the benchmarking range: local to this host, never on the wire): a host address
/// other than the subnet's gateway, which an isolated VPC does not reach without a NAT gateway.
/// </summary>
public sealed class NatGatewayTests : IAsyncLifetime
{
    private const string HostAddress = "198.18.251.1";
    private ComputeServer _server = null!;

    public async Task InitializeAsync()
    {
        Prerequisites.RequireNetworkHost();
        _server = await ComputeServer.StartAsync();
        await Host.RunAsync("ip", ["addr", "del", HostAddress + "/32", "dev", "lo"]);
        var address = await Host.RunAsync("ip", ["addr", "add", HostAddress + "/32", "dev", "lo"]);
        address.ExitCode.ShouldBe(0, "the test needs an address on lo for its host-side server: " + address.Stderr);
    }

    public async Task DisposeAsync()
    {
        await Host.RunAsync("ip", ["addr", "del", HostAddress + "/32", "dev", "lo"]);
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task A_private_instance_reaches_a_host_side_server_only_through_the_nat_gateway()
    {
        var network = _server.Client.Network;
        var (vpc, subnet, group) = await VpcDataPathTests.VpcAsync(_server, "ngw", 2);
        var instance = await VpcDataPathTests.RunAsync(_server, "private", subnet.Id, group.Id);
        var table = (await network.RouteTables.ListAsync(vpcId: vpc.Id)).Items.Single();

        (await SourceSeenAsync(instance.Id)).ShouldBeNull("a non-default VPC reaches no host address but its gateways without a NAT gateway");

        // Bad input: clear errors.
        var eip = await network.ElasticIps.AllocateAsync(new AllocateAddressRequest { Name = "nat" });
        var address = ElasticIpsClient.SpecOf(eip).PublicIp;
        (await Should.ThrowAsync<NimbusApiException>(() => network.NatGateways.CreateAsync(new CreateNatGatewayRequest { SubnetId = subnet.Id }))).Code.ShouldBe("InvalidParameter");
        (await Should.ThrowAsync<NimbusApiException>(() => network.NatGateways.CreateAsync(new CreateNatGatewayRequest { SubnetId = "subnet-nothere", AllocationId = eip.Id })))
            .Message.ShouldContain("'subnet-nothere' is not a subnet of this account");
        (await Should.ThrowAsync<NimbusApiException>(() => network.NatGateways.CreateAsync(new CreateNatGatewayRequest { SubnetId = subnet.Id, AllocationId = "eipalloc-nothere" })))
            .Code.ShouldBe("InvalidParameter");

        var gateway = await network.NatGateways.CreateAsync(new CreateNatGatewayRequest { SubnetId = subnet.Id, AllocationId = "nat", Name = "out" });
        gateway.Id.ShouldStartWith("ngw-");
        gateway.Status.Phase.ShouldBe(NatGatewaysClient.AvailablePhase);
        var spec = NatGatewaysClient.SpecOf(gateway);
        (spec.PublicIp, spec.AllocationId, spec.VpcId).ShouldBe((address, eip.Id, vpc.Id));
        (await network.NatGateways.GetAsync("out")).Id.ShouldBe(gateway.Id);
        (await network.NatGateways.ListAsync()).Items.Select(g => g.Id).ShouldBe([gateway.Id]);

        // The elastic IP is the gateway's: associated, not releasable, not associable, not usable by another gateway.
        var held = await network.ElasticIps.GetAsync(eip.Id);
        held.Status.Phase.ShouldBe(ElasticIpsClient.AssociatedPhase);
        ElasticIpsClient.SpecOf(held).NatGatewayId.ShouldBe(gateway.Id);
        var release = await Should.ThrowAsync<NimbusApiException>(() => network.ElasticIps.ReleaseAsync(eip.Id));
        release.Code.ShouldBe("DependencyViolation");
        release.Message.ShouldContain(gateway.Id);
        (await Should.ThrowAsync<NimbusApiException>(() => network.ElasticIps.AssociateAsync(eip.Id, new AssociateAddressRequest { InstanceId = instance.Id }))).Code.ShouldBe("DependencyViolation");
        (await Should.ThrowAsync<NimbusApiException>(() => network.NatGateways.CreateAsync(new CreateNatGatewayRequest { SubnetId = subnet.Id, AllocationId = eip.Id }))).Code.ShouldBe("Conflict");

        (await SourceSeenAsync(instance.Id)).ShouldBeNull("a gateway without a route translates nothing");

        await network.RouteTables.AddRouteAsync(table.Id, new CreateRouteRequest { DestinationCidr = "0.0.0.0/0", NatGatewayId = gateway.Id });
        (await SourceSeenAsync(instance.Id)).ShouldBe(address, "routed to the NAT gateway: the server sees its elastic IP");

        var inUse = await Should.ThrowAsync<NimbusApiException>(() => network.NatGateways.DeleteAsync(gateway.Id));
        inUse.Code.ShouldBe("DependencyViolation");
        inUse.Message.ShouldContain(table.Id);

        await network.RouteTables.RemoveRouteAsync(table.Id, "0.0.0.0/0");
        (await SourceSeenAsync(instance.Id)).ShouldBeNull("the route is gone");

        // A covering destination works as well as 0.0.0.0/0.
        await network.RouteTables.AddRouteAsync(table.Id, new CreateRouteRequest { DestinationCidr = "198.18.0.0/15", NatGatewayId = gateway.Id });
        (await SourceSeenAsync(instance.Id)).ShouldBe(address);
        await network.RouteTables.RemoveRouteAsync(table.Id, "198.18.0.0/15");

        await network.NatGateways.DeleteAsync("out");
        (await Should.ThrowAsync<NimbusApiException>(() => network.NatGateways.GetAsync(gateway.Id))).Code.ShouldBe("NotFound");
        (await network.ElasticIps.GetAsync(eip.Id)).Status.Phase.ShouldBe(ElasticIpsClient.AvailablePhase);
        await network.ElasticIps.ReleaseAsync(eip.Id);
        (await SourceSeenAsync(instance.Id)).ShouldBeNull();
        InstancesClient.PrivateIpAddressOf(instance).ShouldNotBeNull();
    }

    /// <summary>The source address the host-side listener sees when the instance connects to it; null when nothing arrives.</summary>
    private static async Task<string?> SourceSeenAsync(string instanceId)
    {
        using var listener = new TcpListener(IPAddress.Parse(HostAddress), 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(4));
        var accept = listener.AcceptTcpClientAsync(timeout.Token).AsTask();
        var connect = Host.ExecAsync(instanceId, "nc", "-w", "2", HostAddress, port.ToString(CultureInfo.InvariantCulture));
        try
        {
            using var client = await accept;
            var source = ((IPEndPoint)client.Client.RemoteEndPoint!).Address;
            return (source.IsIPv4MappedToIPv6 ? source.MapToIPv4() : source).ToString();
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        finally
        {
            await connect;
        }
    }
}
