using Nimbus.Contracts.Compute;
using Nimbus.Sdk;
using Nimbus.Sdk.Compute;
using Shouldly;
using Xunit;

namespace Nimbus.Compute.Tests;

/// <summary>A terminated instance stays listed for the retention period, its name free at once, then it is gone.</summary>
public sealed class RetentionTests
{
    [Fact]
    public async Task A_terminated_instance_frees_its_name_at_once_and_disappears_after_the_retention()
    {
        Prerequisites.RequireRuncHost();
        await using var server = await ComputeServer.StartAsync(o => o with { ComputeTerminatedRetention = TimeSpan.FromSeconds(2) });
        var instances = server.Client.Compute.Instances;
        var first = (await instances.RunAsync(new RunInstancesRequest { Image = "busybox", InstanceType = "n1.micro", Name = "reuse" })).Single();
        await instances.WaitForPhaseAsync(first.Id, InstancesClient.RunningPhase, ComputeServer.Wait);
        var terminating = await instances.TerminateAsync(first.Id);
        await instances.WaitForPhaseAsync(first.Id, InstancesClient.TerminatedPhase, ComputeServer.Wait, terminating.Version);

        var second = (await instances.RunAsync(new RunInstancesRequest { Image = "busybox", InstanceType = "n1.micro", Name = "reuse" })).Single();
        second.Id.ShouldNotBe(first.Id);
        await instances.WaitForPhaseAsync(second.Id, InstancesClient.RunningPhase, ComputeServer.Wait);
        (await Should.ThrowAsync<NimbusApiException>(() => instances.GetAsync(first.Id))).Code.ShouldBe("NotFound");

        var third = (await instances.RunAsync(new RunInstancesRequest { Image = "busybox", InstanceType = "n1.micro", Name = "linger" })).Single();
        await instances.WaitForPhaseAsync(third.Id, InstancesClient.RunningPhase, ComputeServer.Wait);
        terminating = await instances.TerminateAsync(third.Id);
        await instances.WaitForPhaseAsync(third.Id, InstancesClient.TerminatedPhase, ComputeServer.Wait, terminating.Version);
        (await instances.ListAsync(name: "linger")).Items.Single().Status.Phase.ShouldBe("terminated");
        await Poll.UntilAsync(async () => (await instances.ListAsync(name: "linger")).Items.Count, n => n == 0, what: "removed after the retention");
        (await server.Client.Quotas.ListAsync()).Items.Single(q => q.Code == "compute.instances").Usage.ShouldBe(1);
    }
}
