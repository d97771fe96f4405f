using Nimbus.Contracts.Compute;
using Nimbus.Contracts.Network;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk;
using Nimbus.Sdk.Compute;
using Nimbus.Sdk.Network;
using Shouldly;
using Xunit;

namespace Nimbus.Compute.Tests;

/// <summary>
/// Network interfaces for real: an instance's primary interface as a resource, a secondary interface attached to a
/// running instance carrying traffic on its own address, secondary private addresses answering, a stop and start
/// keeping them, a detach leaving nothing behind. Two instances are shared by every assertion.
/// </summary>
public sealed class NetworkInterfaceTests : NetworkHostTest
{
    private NimbusClient Client => Server.Client;

    private NetworkInterfacesClient Interfaces => Client.Network.Interfaces;

    [Fact]
    public async Task A_secondary_interface_and_secondary_addresses_carry_traffic_survive_a_stop_and_start_and_go_without_leftovers()
    {
        var (_, subnet, group) = await VpcDataPathTests.VpcAsync(Server, "eni", 0);
        var server = await VpcDataPathTests.RunAsync(Server, "server", subnet.Id, group.Id);
        var client = await VpcDataPathTests.RunAsync(Server, "client", subnet.Id, group.Id);
        var netns = Server.NetnsOf(server.Id);

        // The primary interface is a resource: attached for life, deleted with its instance.
        var primaryId = InstancesClient.SpecOf(server)!.NetworkInterface!.InterfaceId;
        var primary = InterfacesSpec(await Interfaces.GetAsync(primaryId));
        (primary.Primary, primary.Attachment!.InstanceId, primary.Attachment.DeviceIndex, primary.SubnetId).ShouldBe((true, server.Id, 0, subnet.Id));
        primary.PrivateIpAddress.ShouldBe(InstancesClient.PrivateIpAddressOf(server));
        primary.SecurityGroupIds.ShouldBe([group.Id]);
        (await Should.ThrowAsync<NimbusApiException>(() => Interfaces.DetachAsync(primaryId))).Code.ShouldBe("OperationNotPermitted");
        (await Should.ThrowAsync<NimbusApiException>(() => Interfaces.DeleteAsync(primaryId))).Code.ShouldBe("OperationNotPermitted");

        // Bad input: clear errors, nothing made.
        (await Should.ThrowAsync<NimbusApiException>(() => Interfaces.CreateAsync(new CreateNetworkInterfaceRequest()))).Code.ShouldBe("InvalidParameter");
        (await Should.ThrowAsync<NimbusApiException>(() => Interfaces.CreateAsync(new CreateNetworkInterfaceRequest { SubnetId = subnet.Id, PrivateIpAddress = "192.0.2.1" })))
            .Code.ShouldBe("InvalidParameter");
        (await Should.ThrowAsync<NimbusApiException>(() => Interfaces.AttachAsync("eni-nosuch000000", server.Id))).Code.ShouldBe("NotFound");

        // A secondary interface in the subnet, in the group; not attached yet.
        var eni = await Interfaces.CreateAsync(new CreateNetworkInterfaceRequest { SubnetId = subnet.Id, Name = "second", SecurityGroupIds = [group.Id] });
        eni.Status.Phase.ShouldBe("available");
        var eniIp = InterfacesSpec(eni).PrivateIpAddress;
        (await Client.Network.Subnets.AddressesAsync(subnet.Id)).Addresses.Single(a => a.Address == eniIp).InterfaceId.ShouldBe(eni.Id);
        (await Should.ThrowAsync<NimbusApiException>(() => Interfaces.AttachAsync(eni.Id, "i-nosuch000000"))).Code.ShouldBe("NotFound");

        // Attached to the running instance: eth1 with its address, reachable on it from the other instance (ping and tcp).
        var attached = await Interfaces.AttachAsync("second", server.Id);
        attached.Status.Phase.ShouldBe("in-use");
        InterfacesSpec(attached).Attachment!.DeviceIndex.ShouldBe(1);
        Directory.Exists($"/sys/class/net/ne{eni.Id[4..]}").ShouldBeTrue("the host end of the secondary interface's veth");
        (await Host.RunAsync("ip", ["-n", netns, "-4", "addr", "show", "dev", "eth1"])).Stdout.ShouldContain(eniIp + "/");
        (await Poll.UntilAsync(() => VpcDataPathTests.PingsAsync(client.Id, eniIp), ok => ok, what: "ping of the secondary interface's address")).ShouldBeTrue();
        (await Poll.UntilAsync(() => VpcDataPathTests.FetchAsync(client.Id, eniIp), page => page == "ok\n", what: "tcp to the secondary interface's address")).ShouldBe("ok\n");

        var inUse = await Should.ThrowAsync<NimbusApiException>(() => Interfaces.DeleteAsync(eni.Id));
        inUse.Code.ShouldBe("DependencyViolation");
        inUse.Message.ShouldContain(server.Id);

        // Secondary addresses on the secondary and on the primary interface answer.
        var onSecondary = InterfacesSpec(await Interfaces.AssignPrivateIpAddressesAsync(eni.Id, new AssignPrivateIpAddressesRequest { SecondaryPrivateIpAddressCount = 1 })).SecondaryPrivateIpAddresses.Single();
        var onPrimary = InterfacesSpec(await Interfaces.AssignPrivateIpAddressesAsync(primaryId, new AssignPrivateIpAddressesRequest { SecondaryPrivateIpAddressCount = 1 })).SecondaryPrivateIpAddresses.Single();
        (await Poll.UntilAsync(() => VpcDataPathTests.PingsAsync(client.Id, onSecondary), ok => ok, what: "ping of a secondary address of eth1")).ShouldBeTrue();
        (await Poll.UntilAsync(() => VpcDataPathTests.PingsAsync(client.Id, onPrimary), ok => ok, what: "ping of a secondary address of eth0")).ShouldBeTrue();
        (await Should.ThrowAsync<NimbusApiException>(() => Interfaces.UnassignPrivateIpAddressesAsync(eni.Id, [eniIp]))).Code.ShouldBe("InvalidParameter");

        // Unassigned: the address is gone from the instance and from the filter, and free in the subnet.
        await Interfaces.UnassignPrivateIpAddressesAsync(primaryId, [onPrimary]);
        (await Poll.UntilAsync(() => VpcDataPathTests.PingsAsync(client.Id, onPrimary), ok => !ok, what: "an unassigned address no longer answering")).ShouldBeFalse();
        (await Client.Network.Subnets.AddressesAsync(subnet.Id)).Addresses.ShouldNotContain(a => a.Address == onPrimary);

        // A stop and start: the instance gets its secondary interface and addresses back.
        await Client.Compute.Instances.StopAsync(server.Id);
        await Client.Compute.Instances.WaitForPhaseAsync(server.Id, InstancesClient.StoppedPhase, ComputeServer.Wait);
        Directory.Exists($"/sys/class/net/ne{eni.Id[4..]}").ShouldBeFalse("a stopped instance has no devices");
        await Client.Compute.Instances.StartAsync(server.Id);
        await Client.Compute.Instances.WaitForPhaseAsync(server.Id, InstancesClient.RunningPhase, ComputeServer.Wait);
        (await Poll.UntilAsync(() => VpcDataPathTests.FetchAsync(client.Id, eniIp), page => page == "ok\n", what: "tcp to the secondary interface after a stop and start")).ShouldBe("ok\n");
        (await Poll.UntilAsync(() => VpcDataPathTests.PingsAsync(client.Id, onSecondary), ok => ok, what: "the secondary address after a stop and start")).ShouldBeTrue();

        // A restart of Nimbus: the running instance keeps its secondary interface and addresses, and the rebuilt
        // ruleset pairs them with the interface's own veth.
        await Server.StopServerAsync();
        Server = await Server.StartSuccessorAsync();
        (await Poll.UntilAsync(() => VpcDataPathTests.FetchAsync(client.Id, eniIp), page => page == "ok\n", what: "tcp to the secondary interface after a restart")).ShouldBe("ok\n");
        (await VpcDataPathTests.PingsAsync(client.Id, onSecondary)).ShouldBeTrue("the secondary address after a restart");
        var antiSpoofing = await Host.RunAsync("nft", ["list", "set", "bridge", Server.NftTable, "addresses"]);
        System.Text.RegularExpressions.Regex.IsMatch(antiSpoofing.Stdout, $"ne{eni.Id[4..]}\"? \\. {System.Text.RegularExpressions.Regex.Escape(eniIp)}\\b")
            .ShouldBeTrue(antiSpoofing.Stdout + antiSpoofing.Stderr);

        // Detached: no traffic on its addresses, no veth, no eth1; then deleted, its addresses free.
        var detached = await Interfaces.DetachAsync(eni.Id);
        (detached.Status.Phase, InterfacesSpec(detached).Attachment).ShouldBe(("available", null));
        Directory.Exists($"/sys/class/net/ne{eni.Id[4..]}").ShouldBeFalse("the detached interface's veth");
        (await Host.RunAsync("ip", ["-n", netns, "link", "show", "dev", "eth1"])).ExitCode.ShouldNotBe(0);
        (await VpcDataPathTests.PingsAsync(client.Id, eniIp)).ShouldBeFalse("a detached interface's address");
        (await VpcDataPathTests.ConnectsAsync(client.Id, InstancesClient.PrivateIpAddressOf(server)!)).ShouldBeTrue("the primary interface still carries traffic");
        await Interfaces.DeleteAsync(eni.Id);
        (await Should.ThrowAsync<NimbusApiException>(() => Interfaces.GetAsync(eni.Id))).Code.ShouldBe("NotFound");
        (await Client.Network.Subnets.AddressesAsync(subnet.Id)).Addresses.Select(a => a.Address).ShouldNotContain(eniIp);
        (await Client.Network.Subnets.AddressesAsync(subnet.Id)).Addresses.Select(a => a.Address).ShouldNotContain(onSecondary);

        // Terminated: its primary interface goes with it.
        await Client.Compute.Instances.TerminateAsync(server.Id);
        await Client.Compute.Instances.WaitForPhaseAsync(server.Id, InstancesClient.TerminatedPhase, ComputeServer.Wait);
        (await Should.ThrowAsync<NimbusApiException>(() => Interfaces.GetAsync(primaryId))).Code.ShouldBe("NotFound");
        (await Interfaces.ListAsync()).Items.Select(i => i.Id).ShouldBe([InstancesClient.SpecOf(client)!.NetworkInterface!.InterfaceId]);
    }

    private static NetworkInterfaceSpec InterfacesSpec(ResourceDto eni) => NetworkInterfacesClient.SpecOf(eni);
}
