using Nimbus.Compute.Networking.SecurityGroups;
using Nimbus.Contracts.Compute;
using Nimbus.Contracts.Network;
using Nimbus.Sdk;
using Nimbus.Sdk.Compute;
using Nimbus.Sdk.Network;
using Shouldly;
using Xunit;

namespace Nimbus.Compute.Tests;

/// <summary>Each VPC's own default security group: made with the VPC, used when a run names no group, deleted with the VPC.</summary>
public sealed class VpcDefaultGroupTests : NetworkHostTest
{
    private NimbusClient Client => Server.Client;

    private SecurityGroupsClient Groups => Client.Network.SecurityGroups;

    [Fact]
    public async Task A_vpc_gets_its_own_default_group_that_instances_without_groups_join_and_that_goes_with_the_vpc()
    {
        var rulesBefore = (await Client.Quotas.ListAsync()).Items.Single(q => q.Code == "network.securityGroupRules").Usage;
        var range = Server.VpcRange(3);
        var vpc = await Client.Network.Vpcs.CreateAsync(new CreateVpcRequest { Name = "delta", Cidr = range });
        var subnet = await Client.Network.Subnets.CreateAsync(new CreateSubnetRequest { VpcId = vpc.Id, Cidr = range[..^3] + "/27" });

        // Made with the VPC: named after it, default, in the VPC, with the members rule.
        var group = await Groups.GetAsync("default-" + vpc.Id);
        var spec = SecurityGroupsClient.SpecOf(group);
        (spec.VpcId, spec.IsDefault).ShouldBe((vpc.Id, true));
        spec.Rules.ShouldHaveSingleItem().GroupId.ShouldBe(group.Id);
        (await Client.Quotas.ListAsync()).Items.Single(q => q.Code == "network.securityGroupRules").Usage.ShouldBe(rulesBefore + 1);

        // Not deletable on its own; a user group may not take such a name.
        var direct = await Should.ThrowAsync<NimbusApiException>(() => Groups.DeleteAsync(group.Id));
        direct.Code.ShouldBe("OperationNotPermitted");
        direct.Message.ShouldContain(vpc.Id);
        (await Should.ThrowAsync<NimbusApiException>(() => Groups.CreateAsync(new CreateSecurityGroupRequest { Name = "default-vpc-mine", VpcId = vpc.Id })))
            .Code.ShouldBe("InvalidParameter");

        // Instances of the VPC that name no group (or name "default") join it, and members talk to each other.
        var one = (await Client.Compute.Instances.RunAsync(new RunInstancesRequest { Image = "busybox", InstanceType = "n1.micro", Name = "d1", SubnetId = subnet.Id })).Single();
        var two = (await Client.Compute.Instances.RunAsync(new RunInstancesRequest { Image = "busybox", InstanceType = "n1.micro", Name = "d2", SubnetId = subnet.Id, SecurityGroupIds = ["default"] })).Single();
        InstancesClient.SpecOf(one)!.SecurityGroupIds.ShouldBe([group.Id]);
        InstancesClient.SpecOf(two)!.SecurityGroupIds.ShouldBe([group.Id]);
        one = await Client.Compute.Instances.WaitForPhaseAsync(one.Id, InstancesClient.RunningPhase, ComputeServer.Wait);
        two = await Client.Compute.Instances.WaitForPhaseAsync(two.Id, InstancesClient.RunningPhase, ComputeServer.Wait);
        (await Poll.UntilAsync(() => VpcDataPathTests.PingsAsync(one.Id, InstancesClient.PrivateIpAddressOf(two)!), ok => ok, what: "members of the VPC's default group pinging each other")).ShouldBeTrue();

        // Another group of the VPC keeps the VPC (it would be left behind); the default group does not.
        var extra = await Groups.CreateAsync(new CreateSecurityGroupRequest { Name = "delta-web", VpcId = vpc.Id });
        foreach (var instance in new[] { one, two })
        {
            await Client.Compute.Instances.TerminateAsync(instance.Id);
            await Client.Compute.Instances.WaitForPhaseAsync(instance.Id, InstancesClient.TerminatedPhase, ComputeServer.Wait);
        }

        await Client.Network.Subnets.DeleteAsync(subnet.Id);
        var kept = await Should.ThrowAsync<NimbusApiException>(() => Client.Network.Vpcs.DeleteAsync(vpc.Id));
        kept.Code.ShouldBe("DependencyViolation");
        kept.Message.ShouldContain(extra.Id);
        kept.Message.ShouldNotContain(group.Id);
        (await Groups.GetAsync(group.Id)).Id.ShouldBe(group.Id);

        await Groups.DeleteAsync(extra.Id);
        await Client.Network.Vpcs.DeleteAsync(vpc.Id);
        (await Should.ThrowAsync<NimbusApiException>(() => Groups.GetAsync(group.Id))).Code.ShouldBe("NotFound");
        (await Client.Quotas.ListAsync()).Items.Single(q => q.Code == "network.securityGroupRules").Usage.ShouldBe(rulesBefore);
        SecurityGroupService.VpcDefaultName(vpc.Id).ShouldBe("default-" + vpc.Id);
    }
}
