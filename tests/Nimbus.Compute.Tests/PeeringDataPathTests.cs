using Nimbus.Contracts.Network;
using Nimbus.Sdk.Network;
using Shouldly;
using Xunit;

namespace Nimbus.Compute.Tests;

/// <summary>VPC peering for real: two VPCs talk only once peered and routed both ways, and stop when the peering goes.</summary>
public sealed class PeeringDataPathTests : NetworkHostTest
{
    [Fact]
    public async Task Two_vpcs_talk_only_when_peered_and_routed_both_ways()
    {
        var (vpcA, subnetA, groupA) = await VpcDataPathTests.VpcAsync(Server, "pa", 0);
        var (vpcB, subnetB, groupB) = await VpcDataPathTests.VpcAsync(Server, "pb", 1);
        var a = await VpcDataPathTests.RunAsync(Server, "a", subnetA.Id, groupA.Id);
        var b = await VpcDataPathTests.RunAsync(Server, "b", subnetB.Id, groupB.Id);
        var (aIp, bIp) = (Nimbus.Sdk.Compute.InstancesClient.PrivateIpAddressOf(a)!, Nimbus.Sdk.Compute.InstancesClient.PrivateIpAddressOf(b)!);
        var (cidrA, cidrB) = (VpcsClient.SpecOf(vpcA).Cidr, VpcsClient.SpecOf(vpcB).Cidr);
        var network = Server.Client.Network;
        var tableA = (await network.RouteTables.ListAsync(vpcId: vpcA.Id)).Items.Single();
        var tableB = (await network.RouteTables.ListAsync(vpcId: vpcB.Id)).Items.Single();

        (await VpcDataPathTests.PingsAsync(a.Id, bIp)).ShouldBeFalse("not peered");

        var peering = await network.Peerings.CreateAsync(new CreatePeeringRequest { VpcId = vpcA.Id, PeerVpcId = vpcB.Id });
        await network.Peerings.AcceptAsync(peering.Id);
        (await VpcDataPathTests.PingsAsync(a.Id, bIp)).ShouldBeFalse("peered, no routes");

        await network.RouteTables.AddRouteAsync(tableA.Id, new CreateRouteRequest { DestinationCidr = cidrB, PeeringId = peering.Id });
        (await VpcDataPathTests.PingsAsync(a.Id, bIp)).ShouldBeFalse("routed one way only: the reply has no route");

        await network.RouteTables.AddRouteAsync(tableB.Id, new CreateRouteRequest { DestinationCidr = cidrA, PeeringId = peering.Id });
        (await VpcDataPathTests.PingsAsync(a.Id, bIp)).ShouldBeTrue("peered and routed both ways (a -> b)");
        (await VpcDataPathTests.PingsAsync(b.Id, aIp)).ShouldBeTrue("peered and routed both ways (b -> a)");
        (await VpcDataPathTests.ConnectsAsync(a.Id, bIp)).ShouldBeTrue("tcp a -> b");
        VpcDataPathTests.FlowsMarkedSameVpc(aIp, bIp).ShouldBeFalse("a peered flow is checked at every packet (a route or the peering removed stops it), never marked as inside one VPC");

        // A route removed, then the peering deleted: isolated again.
        await network.RouteTables.RemoveRouteAsync(tableB.Id, cidrA);
        (await VpcDataPathTests.PingsAsync(a.Id, bIp)).ShouldBeFalse("b's route removed");
        await network.RouteTables.AddRouteAsync(tableB.Id, new CreateRouteRequest { DestinationCidr = cidrA, PeeringId = peering.Id });
        (await VpcDataPathTests.PingsAsync(b.Id, aIp)).ShouldBeTrue();
        await network.Peerings.DeleteAsync(peering.Id);
        (await VpcDataPathTests.PingsAsync(b.Id, aIp)).ShouldBeFalse("the peering is gone (its routes stay, forwarding nothing)");
    }
}
