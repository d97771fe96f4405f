using Nimbus.Contracts.Network;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk;
using Nimbus.Sdk.Network;
using Shouldly;
using Xunit;

namespace Nimbus.Compute.Tests;

/// <summary>
/// Routes to appliances for real: a subnet's route sends 198.19.77.0/24 (benchmarking range, never on the wire) to an
/// instance of the subnet that answers for that range on its own loopback. A client of the subnet reaches it through the
/// appliance only while the route is there and the appliance's source/destination check is off.
/// </summary>
public sealed class ApplianceRouteTests : NetworkHostTest
{
    private const string Destination = "198.19.77.0/24";

    private const string Behind = "198.19.77.1";

    [Fact]
    public async Task A_route_to_an_appliance_forwards_only_while_its_source_dest_check_is_off_and_the_route_is_there()
    {
        var network = Server.Client.Network;
        var (vpc, subnet, group) = await VpcDataPathTests.VpcAsync(Server, "appl", 3);
        var client = await VpcDataPathTests.RunAsync(Server, "client", subnet.Id, group.Id);
        var appliance = await VpcDataPathTests.RunAsync(Server, "appliance", subnet.Id, group.Id);
        var added = await Host.RunAsync("ip", ["-n", Server.NetnsOf(appliance.Id), "addr", "add", Behind + "/32", "dev", "lo"]);
        added.ExitCode.ShouldBe(0, "the appliance answers for the range on its loopback: " + added.Stderr);
        var table = (await network.RouteTables.ListAsync(vpcId: vpc.Id)).Items.Single();
        var subnetCidr = SubnetsClient.SpecOf(subnet).Cidr;

        (await VpcDataPathTests.ConnectsAsync(client.Id, Behind)).ShouldBeFalse("no route: the isolated VPC reaches nothing outside itself");

        // Bad targets: clear errors, nothing added.
        (await Should.ThrowAsync<NimbusApiException>(() => network.RouteTables.AddRouteAsync(table.Id, new CreateRouteRequest { DestinationCidr = Destination, NetworkInterfaceId = "eni-nothere" })))
            .Code.ShouldBe("InvalidParameter");
        (await Should.ThrowAsync<NimbusApiException>(() => network.RouteTables.AddRouteAsync(table.Id, new CreateRouteRequest { DestinationCidr = Destination, InstanceId = appliance.Id, NetworkInterfaceId = "eni-x" })))
            .Code.ShouldBe("InvalidParameter");

        var routed = await network.RouteTables.AddRouteAsync(table.Id, new CreateRouteRequest { DestinationCidr = Destination, InstanceId = appliance.Id });
        RouteTablesClient.SpecOf(routed).Routes.ShouldContain(r => r.DestinationCidr == Destination && r.TargetType == "instance" && r.Target == appliance.Id);
        (await Host.RunAsync("ip", ["rule", "show"])).Stdout.ShouldContain($"from {subnetCidr} iif nb{vpc.Id[4..]} lookup ");

        // The check is on by default: the appliance's answers, from an address not its own, are dropped at its port.
        var eni = (await network.Interfaces.ListAsync()).Items.Single(i => NetworkInterfacesClient.SpecOf(i) is { Primary: true } s && s.Attachment?.InstanceId == appliance.Id);
        NetworkInterfacesClient.SpecOf(eni).SourceDestCheck.ShouldBe(true);
        (await VpcDataPathTests.ConnectsAsync(client.Id, Behind)).ShouldBeFalse("source/destination check on");

        var modified = await network.Interfaces.ModifyAsync(eni.Id, new ModifyNetworkInterfaceRequest { SourceDestCheck = false });
        NetworkInterfacesClient.SpecOf(modified).SourceDestCheck.ShouldBe(false);
        (await VpcDataPathTests.FetchAsync(client.Id, Behind)).ShouldBe("ok\n", "routed through the appliance, check off");

        // Removing the route stops it (and its kernel rule goes).
        await network.RouteTables.RemoveRouteAsync(table.Id, Destination);
        (await VpcDataPathTests.ConnectsAsync(client.Id, Behind)).ShouldBeFalse("the route is gone");
        (await Host.RunAsync("ip", ["rule", "show"])).Stdout.ShouldNotContain($"from {subnetCidr} iif nb{vpc.Id[4..]} lookup ");

        // A route to the appliance's network interface does the same; turning the check back on stops it.
        await network.RouteTables.AddRouteAsync(table.Id, new CreateRouteRequest { DestinationCidr = Destination, NetworkInterfaceId = eni.Id });
        (await VpcDataPathTests.FetchAsync(client.Id, Behind)).ShouldBe("ok\n", "routed to the appliance's interface");
        await network.Interfaces.ModifyAsync(eni.Id, new ModifyNetworkInterfaceRequest { SourceDestCheck = true });
        (await VpcDataPathTests.ConnectsAsync(client.Id, Behind)).ShouldBeFalse("check on again");

        // Nothing to change, or too many groups: clear errors.
        (await Should.ThrowAsync<NimbusApiException>(() => network.Interfaces.ModifyAsync(eni.Id, new ModifyNetworkInterfaceRequest()))).Code.ShouldBe("InvalidParameter");
        (await Should.ThrowAsync<NimbusApiException>(() => network.Interfaces.ModifyAsync("eni-nothere", new ModifyNetworkInterfaceRequest { SourceDestCheck = false }))).Code.ShouldBe("NotFound");
    }

    [Fact]
    public async Task The_most_specific_route_decides_between_an_appliance_and_a_wider_nat_gateway_route()
    {
        var network = Server.Client.Network;
        var (vpc, subnet, group) = await VpcDataPathTests.VpcAsync(Server, "lpm", 2);
        var client = await VpcDataPathTests.RunAsync(Server, "client", subnet.Id, group.Id);
        var appliance = await VpcDataPathTests.RunAsync(Server, "appliance", subnet.Id, group.Id);
        (await Host.RunAsync("ip", ["-n", Server.NetnsOf(appliance.Id), "addr", "add", Behind + "/32", "dev", "lo"])).ExitCode.ShouldBe(0);
        var eni = (await network.Interfaces.ListAsync()).Items.Single(i => NetworkInterfacesClient.SpecOf(i) is { Primary: true } s && s.Attachment?.InstanceId == appliance.Id);
        await network.Interfaces.ModifyAsync(eni.Id, new ModifyNetworkInterfaceRequest { SourceDestCheck = false });
        var table = (await network.RouteTables.ListAsync(vpcId: vpc.Id)).Items.Single();
        var eip = await network.ElasticIps.AllocateAsync(new AllocateAddressRequest { Name = "lpm-nat" });
        var gateway = await network.NatGateways.CreateAsync(new CreateNatGatewayRequest { SubnetId = subnet.Id, AllocationId = eip.Id });

        // The NAT gateway's 0.0.0.0/0 covers the range too; the appliance's /24 is more specific and wins.
        await network.RouteTables.AddRouteAsync(table.Id, new CreateRouteRequest { DestinationCidr = "0.0.0.0/0", NatGatewayId = gateway.Id });
        await network.RouteTables.AddRouteAsync(table.Id, new CreateRouteRequest { DestinationCidr = "198.19.0.0/16", InstanceId = client.Id });
        await network.RouteTables.AddRouteAsync(table.Id, new CreateRouteRequest { DestinationCidr = Destination, InstanceId = appliance.Id });
        (await VpcDataPathTests.FetchAsync(client.Id, Behind)).ShouldBe("ok\n", "the /24 to the appliance decides over the /16 and the /0");

        // The network table's NAT flows leave the appliance's block out: the NAT gateway does not decide for it.
        var flows = await Host.RunAsync("nft", ["list", "set", "inet", Server.NftTable, "nat_flows"]);
        flows.Stdout.ShouldNotContain("198.19.77.0/24");
        flows.Stdout.ShouldNotContain("0.0.0.0/0");

        await network.RouteTables.RemoveRouteAsync(table.Id, Destination);
        (await VpcDataPathTests.ConnectsAsync(client.Id, Behind)).ShouldBeFalse("the /16 now decides: it goes to the client itself, which does not forward");
        await network.RouteTables.RemoveRouteAsync(table.Id, "198.19.0.0/16");
        await network.RouteTables.RemoveRouteAsync(table.Id, "0.0.0.0/0");
        await network.NatGateways.DeleteAsync(gateway.Id);
        await network.ElasticIps.ReleaseAsync(eip.Id);
    }

    [Fact]
    public async Task A_route_is_blackhole_while_its_target_is_gone_and_active_again_when_it_comes_back()
    {
        var network = Server.Client.Network;
        var (vpc, subnet, group) = await VpcDataPathTests.VpcAsync(Server, "states", 0);
        var (peer, _, _) = await VpcDataPathTests.VpcAsync(Server, "states-peer", 1);
        var appliance = await VpcDataPathTests.RunAsync(Server, "appliance", subnet.Id, group.Id);
        var spare = await network.Interfaces.CreateAsync(new CreateNetworkInterfaceRequest { SubnetId = subnet.Id, Name = "spare", SecurityGroupIds = [group.Id] });
        var table = (await network.RouteTables.ListAsync(vpcId: vpc.Id)).Items.Single();
        RouteTablesClient.SpecOf(table).Routes.Single().State.ShouldBe("active", "the local route");

        // An interface that is not attached: its route is blackhole; attached, active; detached again, blackhole.
        var added = await network.RouteTables.AddRouteAsync(table.Id, new CreateRouteRequest { DestinationCidr = Destination, NetworkInterfaceId = spare.Id });
        StateOf(added, Destination).ShouldBe("blackhole");
        await network.Interfaces.AttachAsync(spare.Id, appliance.Id);
        await Poll.UntilAsync(() => network.RouteTables.GetAsync(table.Id), t => StateOf(t, Destination) == "active", what: "the route to the interface is active once it is attached");
        var (code, stdout, stderr) = await Server.RunCliAsync(Home.Path, "network", "route-table", "get", table.Id);
        code.ShouldBe(0, stderr);
        stdout.ShouldContain("STATE");
        stdout.Split('\n').ShouldContain(l => l.StartsWith(Destination, StringComparison.Ordinal) && l.TrimEnd().EndsWith(" active", StringComparison.Ordinal));
        await network.Interfaces.DetachAsync(spare.Id);
        await Poll.UntilAsync(() => network.RouteTables.GetAsync(table.Id), t => StateOf(t, Destination) == "blackhole", what: "the route to the detached interface is blackhole");
        (code, stdout, stderr) = await Server.RunCliAsync(Home.Path, "network", "route-table", "get", table.Id);
        code.ShouldBe(0, stderr);
        stdout.Split('\n').ShouldContain(l => l.StartsWith(Destination, StringComparison.Ordinal) && l.TrimEnd().EndsWith(" blackhole", StringComparison.Ordinal));

        // An appliance instance: active while it runs, blackhole once terminated.
        await network.RouteTables.AddRouteAsync(table.Id, new CreateRouteRequest { DestinationCidr = "198.19.78.0/24", InstanceId = appliance.Id });
        // A peering: active while it is, blackhole once deleted (the route stays until removed, as on AWS).
        var peering = await network.Peerings.CreateAsync(new CreatePeeringRequest { VpcId = vpc.Id, PeerVpcId = peer.Id });
        await network.Peerings.AcceptAsync(peering.Id);
        var peered = await network.RouteTables.AddRouteAsync(table.Id, new CreateRouteRequest { DestinationCidr = VpcsClient.SpecOf(peer).Cidr, PeeringId = peering.Id });
        StateOf(peered, "198.19.78.0/24").ShouldBe("active");
        StateOf(peered, VpcsClient.SpecOf(peer).Cidr).ShouldBe("active");
        RouteTablesClient.SpecOf((await network.RouteTables.ListAsync(vpcId: vpc.Id)).Items.Single()).Routes
            .Select(r => $"{r.DestinationCidr} {r.State}").Order(StringComparer.Ordinal)
            .ShouldBe(new[] { $"{VpcsClient.SpecOf(vpc).Cidr} active", $"{Destination} blackhole", "198.19.78.0/24 active", $"{VpcsClient.SpecOf(peer).Cidr} active" }.Order(StringComparer.Ordinal), "the list answers states too");

        await network.Peerings.DeleteAsync(peering.Id);
        StateOf(await network.RouteTables.GetAsync(table.Id), VpcsClient.SpecOf(peer).Cidr).ShouldBe("blackhole");
        await Server.Client.Compute.Instances.TerminateAsync(appliance.Id);
        await Poll.UntilAsync(() => network.RouteTables.GetAsync(table.Id), t => StateOf(t, "198.19.78.0/24") == "blackhole", what: "the route to the terminated appliance is blackhole");
        StateOf(await network.RouteTables.GetAsync(table.Id), VpcsClient.SpecOf(vpc).Cidr).ShouldBe("active");
        var removed = await network.RouteTables.RemoveRouteAsync(table.Id, Destination);
        RouteTablesClient.SpecOf(removed).Routes.Select(r => r.State).ShouldAllBe(state => state == "active" || state == "blackhole");
    }

    private static string? StateOf(ResourceDto table, string destination) =>
        RouteTablesClient.SpecOf(table).Routes.Single(r => r.DestinationCidr == destination).State;
}
