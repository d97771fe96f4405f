using System.Net;
using Nimbus.Agent.Linux.Netlink;
using Nimbus.Agent.Network;
using Nimbus.Compute.Node;
using Shouldly;
using Xunit;

namespace Nimbus.Compute.Tests;

/// <summary>
/// The rtnetlink requests an instance's interface is made with: their bytes, laid out by hand from linux/netlink.h,
/// rtnetlink.h, if_link.h and veth.h; and the node's namespace and veth pair made with them against the kernel, checked
/// with iproute2 as an operator would.
/// </summary>
public sealed class RtNetlinkTests
{
    [Fact]
    public void Set_link_request_brings_the_interface_up_on_its_bridge()
    {
        Convert.ToHexString(RtNetlink.SetLinkRequest(7, 5, 3)).ShouldBe(
            "28000000" + "1000" + "0500" + "07000000" + "00000000"     // nlmsghdr: 40 bytes, RTM_NEWLINK, REQUEST|ACK, seq 7
            + "00000000" + "05000000" + "01000000" + "01000000"         // ifinfomsg: index 5, IFF_UP in flags and change
            + "08000A00" + "03000000");                                 // IFLA_MASTER 3
    }

    [Fact]
    public void Address_request_replaces_an_ipv4_address()
    {
        Convert.ToHexString(RtNetlink.AddressRequest(1, 2, IPAddress.Parse("10.0.0.5"), 24)).ShouldBe(
            "28000000" + "1400" + "0505" + "01000000" + "00000000"     // RTM_NEWADDR, REQUEST|ACK|REPLACE|CREATE
            + "02180000" + "02000000"                                   // ifaddrmsg: AF_INET, /24, scope universe, index 2
            + "08000200" + "0A000005"                                   // IFA_LOCAL
            + "08000100" + "0A000005");                                 // IFA_ADDRESS
    }

    [Fact]
    public void Default_route_request_goes_via_the_gateway_out_of_the_interface()
    {
        Convert.ToHexString(RtNetlink.DefaultRouteRequest(2, 2, IPAddress.Parse("10.0.0.1"))).ShouldBe(
            "2C000000" + "1800" + "0505" + "02000000" + "00000000"     // RTM_NEWROUTE, REQUEST|ACK|REPLACE|CREATE
            + "02000000" + "FE030001" + "00000000"                      // rtmsg: AF_INET /0, main table, boot, universe, unicast
            + "08000500" + "0A000001"                                   // RTA_GATEWAY
            + "08000400" + "02000000");                                 // RTA_OIF
    }

    [Fact]
    public void Veth_request_makes_the_peer_in_the_namespace_with_its_mac()
    {
        var request = RtNetlink.VethRequest(3, "nvab", "eth0", [0x02, 0, 0, 0, 0, 0x01], 9);
        Convert.ToHexString(request).ShouldBe(
            "74000000" + "1000" + "0506" + "03000000" + "00000000"     // 116 bytes, RTM_NEWLINK, REQUEST|ACK|EXCL|CREATE
            + "00000000000000000000000000000000"                        // ifinfomsg
            + "09000300" + "6E76616200000000"                           // IFLA_IFNAME "nvab\0" (padded)
            + "48001200"                                                // IFLA_LINKINFO (72)
            + "09000100" + "7665746800000000"                           //   IFLA_INFO_KIND "veth\0"
            + "38000200"                                                //   IFLA_INFO_DATA (56)
            + "34000100"                                                //     VETH_INFO_PEER (52): ifinfomsg, then attributes
            + "00000000000000000000000000000000"
            + "09000300" + "6574683000000000"                           //       IFLA_IFNAME "eth0\0"
            + "0A000100" + "0200000000010000"                           //       IFLA_ADDRESS (6 bytes, padded)
            + "08001C00" + "09000000");                                 //       IFLA_NET_NS_FD 9
    }

    [Fact]
    public void Replies_give_the_link_index_and_the_errno_with_the_kernels_message()
    {
        // A link message for sequence 4 (index 12), then its acknowledgement: EEXIST with NLMSGERR_ATTR_MSG.
        var reply = Convert.FromHexString(
            "20000000" + "1000" + "0000" + "04000000" + "00000000" + "00000000" + "0C000000" + "00000000" + "00000000"
            + "34000000" + "0200" + "0002" + "04000000" + "00000000" + "EFFFFFFF"
            + "20000000" + "1000" + "0500" + "04000000" + "00000000"
            + "10000100" + "6E616D6520696E2075736500");
        int? index = null;
        RtNetlink.ReadReplies(reply, 4, ref index, out var errno, out var message).ShouldBeTrue();
        index.ShouldBe(12);
        errno.ShouldBe(17);
        message.ShouldBe("name in use");

        // Another request's answers are not this one's.
        index = null;
        RtNetlink.ReadReplies(reply, 5, ref index, out _, out _).ShouldBeFalse();
        index.ShouldBeNull();
    }

    [Fact]
    public void Namespace_calls_refuse_a_thread_that_is_not_their_own()
    {
        // Switching a pool thread's namespace would open later sockets of unrelated work in the instance's namespace.
        Should.Throw<InvalidOperationException>(() => NetworkNamespaces.Create("/run/netns/nimbus-never"));
        File.Exists("/run/netns/nimbus-never").ShouldBeFalse();
    }

    [Fact]
    public async Task Interface_is_made_in_its_namespace_on_the_bridge_and_removed_without_trace()
    {
        Prerequisites.RequireNetworkHost();
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var bridge = "nbt" + suffix;
        var prefix = "nbtp" + suffix;
        var instanceId = "i-rt" + suffix;
        var node = new LinuxNetworkNode(new ListLogger<LinuxNetworkNode>());
        var veth = LinuxNetworkNode.VethName(instanceId);
        var netns = prefix + "-" + instanceId;
        (await Host.RunAsync("ip", ["link", "add", bridge, "type", "bridge"])).ExitCode.ShouldBe(0);
        try
        {
            (await Host.RunAsync("ip", ["addr", "add", "10.251.7.1/24", "dev", bridge])).ExitCode.ShouldBe(0);
            (await Host.RunAsync("ip", ["link", "set", bridge, "up"])).ExitCode.ShouldBe(0);
            var setup = new InterfaceSetup
            {
                Bridge = bridge,
                NamespacePrefix = prefix,
                InstanceId = instanceId,
                PrivateIpAddress = "10.251.7.2",
                SecondaryAddresses = ["10.251.7.3"],
                PrefixLength = 24,
                Gateway = "10.251.7.1",
                MacAddress = "02:42:0a:fb:07:02",
            };

            var path = await node.EnsureNamespaceAsync(prefix, instanceId, CancellationToken.None);
            path.ShouldBe("/run/netns/" + netns);
            File.Exists(path).ShouldBeTrue();
            (await node.EnsureInterfaceAsync(setup, CancellationToken.None)).ShouldBe(path);
            await ShouldBeWiredAsync();

            // Again, found in place (an adopted instance): nothing changes, nothing fails.
            (await Host.RunAsync("ip", ["link", "set", veth, "nomaster"])).ExitCode.ShouldBe(0);
            await node.EnsureInterfaceAsync(setup, CancellationToken.None);
            await ShouldBeWiredAsync();

            // Stop: the pair and the namespace go; a start without EnsureNamespaceAsync makes both again.
            await node.RemoveInterfaceAsync(prefix, instanceId, CancellationToken.None);
            File.Exists(path).ShouldBeFalse();
            Directory.Exists("/sys/class/net/" + veth).ShouldBeFalse();
            File.ReadAllText("/proc/self/mountinfo").ShouldNotContain(netns);
            await node.RemoveInterfaceAsync(prefix, instanceId, CancellationToken.None);
            await node.EnsureInterfaceAsync(setup, CancellationToken.None);
            await ShouldBeWiredAsync();
            await node.RemoveInterfaceAsync(prefix, instanceId, CancellationToken.None);
            File.Exists(path).ShouldBeFalse();

            // A bridge that is not there is the node's error, named; the namespace stays for the retry or the stop.
            var missing = await Should.ThrowAsync<NodeException>(() => node.EnsureInterfaceAsync(setup with { Bridge = "nbtmissing" + suffix[..4] }, CancellationToken.None));
            missing.Message.ShouldContain("bridge nbtmissing" + suffix[..4] + " does not exist");
            await node.RemoveInterfaceAsync(prefix, instanceId, CancellationToken.None);
            File.Exists(path).ShouldBeFalse();
        }
        finally
        {
            await Host.RunAsync("ip", ["netns", "del", netns]);
            await Host.RunAsync("ip", ["link", "del", bridge]);
        }

        async Task ShouldBeWiredAsync()
        {
            var addresses = await Host.RunAsync("ip", ["-n", netns, "-4", "-o", "addr", "show", "dev", "eth0"]);
            addresses.ExitCode.ShouldBe(0, addresses.Stderr);
            addresses.Stdout.ShouldContain("inet 10.251.7.2/24");
            addresses.Stdout.ShouldContain("inet 10.251.7.3/24");
            (await Host.RunAsync("ip", ["-n", netns, "link", "show", "dev", "eth0"])).Stdout.ShouldContain("link/ether 02:42:0a:fb:07:02");
            (await Host.RunAsync("ip", ["-n", netns, "route", "show", "default"])).Stdout.Trim().ShouldStartWith("default via 10.251.7.1 dev eth0");
            (await Host.RunAsync("ip", ["-n", netns, "link", "show", "dev", "lo"])).Stdout.ShouldContain(",UP");
            (await Host.RunAsync("ip", ["link", "show", "dev", veth])).Stdout.ShouldContain("master " + bridge + " state UP");

            // Real traffic: the instance's side reaches the gateway on the bridge.
            var ping = await Host.RunAsync("ip", ["netns", "exec", netns, "/bin/busybox", "ping", "-c", "1", "-W", "3", "10.251.7.1"]);
            ping.ExitCode.ShouldBe(0, ping.Stdout + ping.Stderr);
        }
    }
}
