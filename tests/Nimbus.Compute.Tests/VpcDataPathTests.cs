using Nimbus.Contracts.Compute;
using Nimbus.Contracts.Network;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk;
using Nimbus.Sdk.Compute;
using Shouldly;
using Xunit;

namespace Nimbus.Compute.Tests;

/// <summary>
/// Instances in VPC subnets for real: a bridge per VPC with every subnet's gateway, traffic inside a VPC, none between
/// VPCs (ping and tcp, both ways), addresses from the subnet's IPAM, and nothing left on the node after a terminate.
/// </summary>
public sealed class VpcDataPathTests : NetworkHostTest
{
    private NimbusClient Client => Server.Client;

    /// <summary>A VPC with one subnet covering its first half, and a group of the VPC letting in everything (so that only the VPC boundary decides).</summary>
    internal static async Task<(ResourceDto Vpc, ResourceDto Subnet, ResourceDto Group)> VpcAsync(ComputeServer server, string name, int index)
    {
        var range = server.VpcRange(index);
        var vpc = await server.Client.Network.Vpcs.CreateAsync(new CreateVpcRequest { Name = name, Cidr = range });
        var subnetRange = range[..^3] + "/27";
        var subnet = await server.Client.Network.Subnets.CreateAsync(new CreateSubnetRequest { VpcId = vpc.Id, Cidr = subnetRange, Name = name + "-a" });
        var group = await server.Client.Network.SecurityGroups.CreateAsync(new CreateSecurityGroupRequest { Name = name + "-open", VpcId = vpc.Id });
        await server.Client.Network.SecurityGroups.AuthorizeAsync(group.Id, "ingress", new() { Protocol = "all", Cidr = "0.0.0.0/0" });
        return (vpc, subnet, group);
    }

    internal static async Task<ResourceDto> RunAsync(ComputeServer server, string name, string subnetId, string groupId, string? address = null)
    {
        var created = (await server.Client.Compute.Instances.RunAsync(new RunInstancesRequest
        {
            Image = "busybox", InstanceType = "n1.micro", Name = name, SubnetId = subnetId, PrivateIpAddress = address, SecurityGroupIds = [groupId],
            Command = ["sh", "-c", "mkdir -p /w && echo ok > /w/index.html && exec httpd -f -p 8080 -h /w"],
        })).Single();
        return await server.Client.Compute.Instances.WaitForPhaseAsync(created.Id, InstancesClient.RunningPhase, ComputeServer.Wait);
    }

    internal static async Task<bool> PingsAsync(string fromInstance, string address) =>
        (await Host.ExecAsync(fromInstance, "ping", "-c", "1", "-W", "2", address)).ExitCode == 0;

    /// <summary>
    /// Whether the host's conntrack entries of flows from <paramref name="source"/> to <paramref name="destination"/>
    /// (original direction) carry the same-VPC mark bit (0x02000000) of the network table's forward chain: true when all
    /// of them do, false when none does; an empty list or a mix fails the test.
    /// </summary>
    internal static bool FlowsMarkedSameVpc(string source, string destination)
    {
        const string table = "/proc/net/nf_conntrack";
        if (!File.Exists(table))
        {
            throw new InvalidOperationException($"{table} is missing: the kernel needs CONFIG_NF_CONNTRACK_PROCFS to show conntrack entries");
        }

        var marks = new List<bool>();
        foreach (var line in File.ReadLines(table))
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.FirstOrDefault(w => w.StartsWith("src=", StringComparison.Ordinal)) == "src=" + source
                && words.FirstOrDefault(w => w.StartsWith("dst=", StringComparison.Ordinal)) == "dst=" + destination)
            {
                var mark = words.FirstOrDefault(w => w.StartsWith("mark=", StringComparison.Ordinal)) ?? "mark=0";
                marks.Add((uint.Parse(mark[5..], System.Globalization.CultureInfo.InvariantCulture) & 0x02000000) != 0);
            }
        }

        marks.ShouldNotBeEmpty($"conntrack holds no flow {source} -> {destination}");
        marks.Distinct().Count().ShouldBe(1, $"flows {source} -> {destination} are all marked or all unmarked");
        return marks[0];
    }

    internal static async Task<bool> ConnectsAsync(string fromInstance, string address) =>
        await FetchAsync(fromInstance, address) == "ok\n";

    /// <summary>What the other instance's web server answers (its page, or wget's error).</summary>
    internal static async Task<string> FetchAsync(string fromInstance, string address)
    {
        var (code, stdout, stderr) = await Host.ExecAsync(fromInstance, "timeout", "3", "wget", "-qO-", $"http://{address}:8080/");
        return code == 0 ? stdout : $"exit {code}: {stdout}{stderr}";
    }

    [Fact]
    public async Task Instances_of_one_subnet_talk_and_instances_of_two_vpcs_cannot_and_terminate_leaves_nothing()
    {
        var (vpcA, subnetA, groupA) = await VpcAsync(Server, "alpha", 0);
        var (vpcB, subnetB, groupB) = await VpcAsync(Server, "beta", 1);
        var subnetARange = subnetA.Spec.GetProperty("cidr").GetString()!;
        var subnetBRange = subnetB.Spec.GetProperty("cidr").GetString()!;
        var chosen = subnetARange[..subnetARange.LastIndexOf('.')] + "." + (int.Parse(subnetARange.Split('.')[3].Split('/')[0], System.Globalization.CultureInfo.InvariantCulture) + 10);

        var a1 = await RunAsync(Server, "a1", subnetA.Id, groupA.Id, chosen);
        var a2 = await RunAsync(Server, "a2", subnetA.Id, groupA.Id);
        var b1 = await RunAsync(Server, "b1", subnetB.Id, groupB.Id);
        var a1Ip = InstancesClient.PrivateIpAddressOf(a1)!;
        var a2Ip = InstancesClient.PrivateIpAddressOf(a2)!;
        var b1Ip = InstancesClient.PrivateIpAddressOf(b1)!;

        // Addresses come from the subnet's IPAM: the chosen one, the next free one, and the subnet lists who holds them.
        a1Ip.ShouldBe(chosen);
        var held = await Client.Network.Subnets.AddressesAsync(subnetA.Id);
        held.Addresses.Select(a => (a.Address, a.InstanceId)).ShouldBe([(a2Ip, a2.Id), (a1Ip, a1.Id)], ignoreOrder: true);
        var taken = await Should.ThrowAsync<NimbusApiException>(() => Client.Compute.Instances.RunAsync(new RunInstancesRequest
        {
            Image = "busybox", InstanceType = "n1.micro", SubnetId = subnetA.Id, PrivateIpAddress = chosen, SecurityGroupIds = [groupA.Id],
        }));
        taken.Code.ShouldBe("Conflict");
        var foreign = await Should.ThrowAsync<NimbusApiException>(() => Client.Compute.Instances.RunAsync(new RunInstancesRequest
        {
            Image = "busybox", InstanceType = "n1.micro", SubnetId = "subnet-doesnotexist", SecurityGroupIds = [groupA.Id],
        }));
        foreign.Code.ShouldBe("InvalidParameter");
        var wrongGroup = await Should.ThrowAsync<NimbusApiException>(() => Client.Compute.Instances.RunAsync(new RunInstancesRequest
        {
            Image = "busybox", InstanceType = "n1.micro", SubnetId = subnetA.Id, SecurityGroupIds = [groupB.Id],
        }));
        wrongGroup.Code.ShouldBe("InvalidParameter");

        // One bridge per VPC, named from its id, carrying the subnet's gateway.
        var bridgeA = "nb" + vpcA.Id[4..];
        var bridgeB = "nb" + vpcB.Id[4..];
        var addresses = await Host.RunAsync("ip", ["-4", "addr", "show", "dev", bridgeA]);
        addresses.Stdout.ShouldContain(" " + subnetARange[..subnetARange.LastIndexOf('.')] + ".");
        Directory.Exists($"/sys/class/net/{bridgeB}").ShouldBeTrue();

        // Inside a subnet: ping and tcp.
        (await Poll.UntilAsync(() => PingsAsync(a1.Id, a2Ip), ok => ok, what: "a1 pinging a2")).ShouldBeTrue();
        (await Poll.UntilAsync(() => FetchAsync(a2.Id, a1Ip), page => page == "ok\n", what: "tcp inside the subnet")).ShouldBe("ok\n");

        // A flow inside a VPC is marked on its first packet, so its later packets skip the isolation chain's lookups.
        FlowsMarkedSameVpc(a2Ip, a1Ip).ShouldBeTrue("a flow inside one VPC carries the same-VPC conntrack mark");

        // Between VPCs: nothing, either way, though both groups let everything in.
        (await PingsAsync(a1.Id, b1Ip)).ShouldBeFalse("VPCs are isolated (ping a -> b)");
        (await PingsAsync(b1.Id, a1Ip)).ShouldBeFalse("VPCs are isolated (ping b -> a)");
        (await ConnectsAsync(a1.Id, b1Ip)).ShouldBeFalse("VPCs are isolated (tcp a -> b)");
        (await ConnectsAsync(b1.Id, a2Ip)).ShouldBeFalse("VPCs are isolated (tcp b -> a)");

        // A VPC in use cannot go.
        var inUse = await Should.ThrowAsync<NimbusApiException>(() => Client.Network.Vpcs.DeleteAsync(vpcB.Id));
        inUse.Code.ShouldBe("DependencyViolation");

        // Terminate gives the address back and leaves no veth, namespace or anti-spoofing element; the VPC's bridge stays
        // while the VPC exists (the next start needs it), and goes with the VPC.
        await Client.Compute.Instances.TerminateAsync(b1.Id);
        await Client.Compute.Instances.WaitForPhaseAsync(b1.Id, InstancesClient.TerminatedPhase, ComputeServer.Wait);
        Directory.Exists($"/sys/class/net/nv{b1.Id[2..]}").ShouldBeFalse();
        File.Exists($"/run/netns/{Server.NetnsOf(b1.Id)}").ShouldBeFalse();
        (await Client.Network.Subnets.AddressesAsync(subnetB.Id)).Addresses.ShouldBeEmpty();
        var ports = await Host.RunAsync("nft", ["list", "set", "bridge", Server.NftTable, "ports"]);
        ports.ExitCode.ShouldBe(0, ports.Stderr);
        ports.Stdout.ShouldNotContain("nv" + b1.Id[2..]);
        Directory.Exists($"/sys/class/net/{bridgeB}").ShouldBeTrue("an empty VPC keeps its bridge");
        Directory.EnumerateFileSystemEntries($"/sys/class/net/{bridgeB}/brif").ShouldBeEmpty();
        (await Host.RunAsync("ip", ["-4", "addr", "show", "dev", bridgeB])).Stdout.ShouldContain(" " + subnetBRange[..subnetBRange.LastIndexOf('.')] + ".");
        (await Client.Compute.RunGarbageCheckAsync()).Leaks.ShouldBeEmpty();
        await Client.Network.Subnets.DeleteAsync(subnetB.Id);
        (await Host.RunAsync("ip", ["-4", "addr", "show", "dev", bridgeB])).Stdout.ShouldNotContain(" " + subnetBRange[..subnetBRange.LastIndexOf('.')] + ".", customMessage: "a deleted subnet's gateway leaves the bridge");
        await Client.Network.SecurityGroups.DeleteAsync(groupB.Id);
        await Client.Network.Vpcs.DeleteAsync(vpcB.Id);
        Directory.Exists($"/sys/class/net/{bridgeB}").ShouldBeFalse("a deleted VPC's bridge is removed with it");
    }

    [Fact]
    public async Task A_restart_keeps_traffic_and_removes_the_bridge_veths_and_namespaces_of_a_vpc_gone_meanwhile()
    {
        var (_, subnet, group) = await VpcAsync(Server, "gamma", 2);
        var one = await RunAsync(Server, "one", subnet.Id, group.Id);
        var two = await RunAsync(Server, "two", subnet.Id, group.Id);
        var twoIp = InstancesClient.PrivateIpAddressOf(two)!;
        (await Poll.UntilAsync(() => ConnectsAsync(one.Id, twoIp), ok => ok, what: "tcp before the restart")).ShouldBeTrue();

        // What a VPC deleted while Nimbus was down leaves: its bridge (marked as this installation's), a veth on it and
        // an instance namespace. Another installation's bridge (another alias) must stay.
        await Server.StopServerAsync();
        var leftover = "nbleftover" + Random.Shared.Next(10000, 99999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var foreign = "nbforeign" + Random.Shared.Next(10000, 99999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var veth = "nv" + leftover[2..];
        var netns = $"{Server.Bridge}-i-{leftover[2..]}";
        foreach (var command in new[]
        {
            new[] { "link", "add", leftover, "type", "bridge" },
            ["link", "set", leftover, "alias", "nimbus:" + Server.NftTable],
            ["link", "add", foreign, "type", "bridge"],
            ["link", "set", foreign, "alias", "nimbus:someone_else"],
            ["netns", "add", netns],
            ["link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", netns],
            ["link", "set", veth, "master", leftover],
        })
        {
            var made = await Host.RunAsync("ip", command);
            made.ExitCode.ShouldBe(0, string.Join(' ', command) + ": " + made.Stderr);
        }

        try
        {
            var restarted = await Server.StartSuccessorAsync();
            Server = restarted;
            await Poll.UntilAsync(() => Task.FromResult(Directory.Exists($"/sys/class/net/{leftover}")), exists => !exists, what: "the leftover bridge removed");
            Directory.Exists($"/sys/class/net/{veth}").ShouldBeFalse("the leftover veth is removed");
            File.Exists($"/run/netns/{netns}").ShouldBeFalse("the leftover namespace is removed");
            Directory.Exists($"/sys/class/net/{foreign}").ShouldBeTrue("another installation's bridge stays");
            (await Poll.UntilAsync(() => ConnectsAsync(one.Id, twoIp), ok => ok, what: "tcp after the restart")).ShouldBeTrue();
            (await PingsAsync(two.Id, InstancesClient.PrivateIpAddressOf(one)!)).ShouldBeTrue("ping after the restart");
        }
        finally
        {
            await Host.RunAsync("ip", ["link", "del", foreign]);
        }
    }
}
