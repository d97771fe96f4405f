using System.Net;
using Nimbus.Contracts.Network;
using Nimbus.Sdk.Compute;
using Nimbus.Sdk.Network;
using Shouldly;
using Xunit;

namespace Nimbus.Compute.Tests;

/// <summary>
/// Peering, elastic IPs and appliance routes across a Nimbus restart: what the store says is in force again, and what the
/// kernel holds of resources deleted while Nimbus was down (left in the kernel: a peering's grant, an elastic IP's
/// address and mapping, a subnet's policy rule) is gone once it has started.
/// </summary>
public sealed class NetworkRestartTests : NetworkHostTest
{
    [Fact]
    public async Task After_a_restart_peered_vpcs_still_talk_an_elastic_ip_still_answers_and_leftovers_of_deleted_ones_are_gone()
    {
        var network = Server.Client.Network;
        var (vpcA, subnetA, groupA) = await VpcDataPathTests.VpcAsync(Server, "ra", 0);
        var (vpcB, subnetB, groupB) = await VpcDataPathTests.VpcAsync(Server, "rb", 1);
        var a = await VpcDataPathTests.RunAsync(Server, "a", subnetA.Id, groupA.Id);
        var b = await VpcDataPathTests.RunAsync(Server, "b", subnetB.Id, groupB.Id);
        var (aIp, bIp) = (InstancesClient.PrivateIpAddressOf(a)!, InstancesClient.PrivateIpAddressOf(b)!);
        var peering = await network.Peerings.CreateAsync(new CreatePeeringRequest { VpcId = vpcA.Id, PeerVpcId = vpcB.Id });
        await network.Peerings.AcceptAsync(peering.Id);
        await network.RouteTables.AddRouteAsync((await network.RouteTables.ListAsync(vpcId: vpcA.Id)).Items.Single().Id, new CreateRouteRequest { DestinationCidr = VpcsClient.SpecOf(vpcB).Cidr, PeeringId = peering.Id });
        await network.RouteTables.AddRouteAsync((await network.RouteTables.ListAsync(vpcId: vpcB.Id)).Items.Single().Id, new CreateRouteRequest { DestinationCidr = VpcsClient.SpecOf(vpcA).Cidr, PeeringId = peering.Id });
        var subnetACidr = SubnetsClient.SpecOf(subnetA).Cidr;
        await network.RouteTables.AddRouteAsync((await network.RouteTables.ListAsync(vpcId: vpcA.Id)).Items.Single().Id, new CreateRouteRequest { DestinationCidr = "198.19.0.0/16", InstanceId = a.Id });
        var eip = await network.ElasticIps.AllocateAsync(new AllocateAddressRequest { Name = "kept" });
        var address = ElasticIpsClient.SpecOf(eip).PublicIp;
        await network.ElasticIps.AssociateAsync(eip.Id, new AssociateAddressRequest { InstanceId = a.Id });
        (await VpcDataPathTests.ConnectsAsync(a.Id, bIp)).ShouldBeTrue("peered before the restart");
        (await Poll.UntilAsync(() => CurlAsync(address), page => page == "ok\n", what: "the elastic IP before the restart")).ShouldBe("ok\n");

        // What a peering, an elastic IP and a route to an appliance deleted while Nimbus is down leave in the kernel.
        await Server.StopServerAsync();
        var table = Server.NftTable;
        var stale = StaleElasticIp(Server.ElasticIpPool, address);
        var rule = (await Host.RunAsync("ip", ["rule", "show"])).Stdout.Split('\n').Single(l => l.Contains($"from {subnetACidr} iif ", StringComparison.Ordinal));
        var pref = rule.Split(':')[0];
        foreach (var command in new[]
        {
            new[] { "nft", "add", "element", "inet", table, "peered", "{ 172.31.250.0/24 . 172.31.251.0/24 }" },
            ["nft", "add", "element", "inet", table + "_edge", "eip_dnat", $"{{ {stale} : {bIp} }}"],
            ["ip", "addr", "add", stale + "/32", "dev", "lo"],
            ["ip", "rule", "add", "pref", pref, "from", "172.31.252.0/24", "iif", "nb" + vpcA.Id[4..], "lookup", "1308622850"],
        })
        {
            var done = await Host.RunAsync(command[0], command[1..]);
            done.ExitCode.ShouldBe(0, string.Join(' ', command) + ": " + done.Stderr);
        }

        Server = await Server.StartSuccessorAsync();
        await Poll.UntilAsync(() => LoHasAsync(stale), has => !has, what: "the stale elastic IP removed from lo");
        (await Host.RunAsync("nft", ["list", "set", "inet", table, "peered"])).Stdout.ShouldNotContain("172.31.250.0/24");
        var edge = (await Host.RunAsync("nft", ["list", "map", "inet", table + "_edge", "eip_dnat"])).Stdout;
        edge.ShouldNotContain(stale + " : ");
        edge.ShouldContain($"{address} : {aIp}");
        var rules = (await Host.RunAsync("ip", ["rule", "show"])).Stdout;
        rules.ShouldNotContain("172.31.252.0/24");
        rules.ShouldContain(rule.Trim(), customMessage: "the subnet's rule of a route still there stays");

        (await Poll.UntilAsync(() => VpcDataPathTests.ConnectsAsync(a.Id, bIp), ok => ok, what: "peered after the restart (a -> b)")).ShouldBeTrue();
        (await VpcDataPathTests.PingsAsync(b.Id, aIp)).ShouldBeTrue("peered after the restart (b -> a)");
        (await CurlAsync(address)).ShouldBe("ok\n", "the elastic IP answers after the restart");

        // Deleted after the restart: its rules go as they would have before.
        await Server.Client.Network.Peerings.DeleteAsync(peering.Id);
        (await VpcDataPathTests.PingsAsync(b.Id, aIp)).ShouldBeFalse("the peering is gone");
        await Server.Client.Network.ElasticIps.DisassociateAsync(eip.Id);
        (await CurlAsync(address)).ShouldStartWith("error");
    }

    private static async Task<string> CurlAsync(string address)
    {
        var (code, stdout, stderr) = await Host.RunAsync("curl", ["-sS", "--max-time", "2", $"http://{address}:8080/"]);
        return code == 0 ? stdout : "error: " + stderr.Trim();
    }

    private static async Task<bool> LoHasAsync(string address) =>
        (await Host.RunAsync("ip", ["-4", "-o", "addr", "show", "dev", "lo"])).Stdout.Contains(" " + address + "/32", StringComparison.Ordinal);

    /// <summary>An address of the pool other than <paramref name="taken"/>: its last usable one, or the one before.</summary>
    private static string StaleElasticIp(string pool, string taken)
    {
        var network = IPNetwork.Parse(pool);
        var last = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(network.BaseAddress.GetAddressBytes()) | (uint.MaxValue >> network.PrefixLength);
        static string Format(uint value) => new IPAddress([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]).ToString();
        return Format(last - 1) == taken ? Format(last - 2) : Format(last - 1);
    }
}
