using System.Diagnostics;
using Nimbus.Contracts.Network;
using Nimbus.Sdk;
using Nimbus.Sdk.Network;
using Shouldly;
using Xunit;

namespace Nimbus.Compute.Tests;

/// <summary>A secondary interface's security groups changed after it is made: validated as at creation, in force on the running instance at once.</summary>
public sealed class NetworkInterfaceGroupTests : NetworkHostTest
{
    [Fact]
    public async Task A_port_of_a_secondary_interface_opens_and_closes_with_the_groups_set_on_it()
    {
        var network = Server.Client.Network;
        var (vpc, subnet, open) = await VpcDataPathTests.VpcAsync(Server, "enig", 1);
        var (_, _, otherVpcGroup) = await VpcDataPathTests.VpcAsync(Server, "enig-other", 0);
        var closed = await network.SecurityGroups.CreateAsync(new CreateSecurityGroupRequest { Name = "enig-closed", VpcId = vpc.Id });
        var web = await VpcDataPathTests.RunAsync(Server, "web", subnet.Id, open.Id);
        var client = await VpcDataPathTests.RunAsync(Server, "client", subnet.Id, open.Id);
        var eni = await network.Interfaces.CreateAsync(new CreateNetworkInterfaceRequest { SubnetId = subnet.Id, Name = "web-2", SecurityGroupIds = [closed.Id] });
        await network.Interfaces.AttachAsync(eni.Id, web.Id);
        var address = NetworkInterfacesClient.SpecOf(eni).PrivateIpAddress;

        (await VpcDataPathTests.ConnectsAsync(client.Id, address)).ShouldBeFalse("the closed group lets nothing in from non-members");

        // Same checks as at creation: groups of the interface's VPC, at most 5, nothing half-applied.
        var foreign = await Should.ThrowAsync<NimbusApiException>(() => network.Interfaces.ModifyAsync("web-2", new ModifyNetworkInterfaceRequest { SecurityGroupIds = [otherVpcGroup.Id] }));
        foreign.Code.ShouldBe("InvalidParameter");
        foreign.Message.ShouldContain(otherVpcGroup.Id);
        (await Should.ThrowAsync<NimbusApiException>(() => network.Interfaces.ModifyAsync("web-2", new ModifyNetworkInterfaceRequest { SecurityGroupIds = ["a", "b", "c", "d", "e", "f"] })))
            .Code.ShouldBe("InvalidParameter");
        NetworkInterfacesClient.SpecOf(await network.Interfaces.GetAsync("web-2")).SecurityGroupIds.ShouldBe([closed.Id]);

        var watch = Stopwatch.StartNew();
        var modified = await network.Interfaces.ModifyAsync("web-2", new ModifyNetworkInterfaceRequest { SecurityGroupIds = [closed.Id, open.Id] });
        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(1), "the change is applied before the call returns, within a second");
        NetworkInterfacesClient.SpecOf(modified).SecurityGroupIds.ShouldBe([closed.Id, open.Id]);
        (await VpcDataPathTests.FetchAsync(client.Id, address)).ShouldBe("ok\n", "the open group is on the interface now");

        // The primary interface is not touched: its groups are the instance's.
        var primary = (await network.Interfaces.ListAsync()).Items.Single(i => NetworkInterfacesClient.SpecOf(i) is { Primary: true } s && s.Attachment?.InstanceId == web.Id);
        NetworkInterfacesClient.SpecOf(primary).SecurityGroupIds.ShouldBe([open.Id]);

        await network.Interfaces.ModifyAsync("web-2", new ModifyNetworkInterfaceRequest { SecurityGroupIds = [closed.Id] });
        (await VpcDataPathTests.ConnectsAsync(client.Id, address)).ShouldBeFalse("closed again");
        (await VpcDataPathTests.ConnectsAsync(client.Id, Nimbus.Sdk.Compute.InstancesClient.PrivateIpAddressOf(web)!)).ShouldBeTrue("the primary interface stays open");
    }
}
