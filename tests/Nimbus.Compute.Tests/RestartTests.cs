using System.Text.Json;
using Nimbus.Contracts.Compute;
using Nimbus.Contracts.Resources;
using Nimbus.Core.Api;
using Nimbus.Sdk.Compute;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Compute.Tests;

/// <summary>Instances do not depend on the Nimbus process: they keep running through its restarts and are adopted after.</summary>
public sealed class RestartTests
{
    private static InstanceDetailsDto Details(ResourceDto instance) => instance.Status.Details!.Value.Deserialize<InstanceDetailsDto>(NimbusJson.Options)!;

    [Fact]
    public async Task A_nimbus_restart_leaves_instances_running_and_manageable()
    {
        Prerequisites.RequireRuncHost();
        using var data = new TempDirectory("nimbus-compute");
        ResourceDto instance;
        await using (var first = await ComputeServer.StartAsync(dataDirectory: data.Path))
        {
            var created = (await first.Client.Compute.Instances.RunAsync(new RunInstancesRequest { Image = "busybox", InstanceType = "n1.micro", Name = "survivor", UserData = "echo hi\n" })).Single();
            instance = await first.Client.Compute.Instances.WaitForPhaseAsync(created.Id, InstancesClient.RunningPhase, ComputeServer.Wait);
            await first.StopServerAsync();
        }

        var pid = Details(instance).Pid!.Value;
        (await Host.RuncStatusAsync(instance.Id)).ShouldBe("running");
        Directory.Exists($"/proc/{pid}").ShouldBeTrue();

        await using var second = await ComputeServer.StartAsync(dataDirectory: data.Path);
        var adopted = await second.Client.Compute.Instances.GetAsync(instance.Id);
        adopted.Status.Phase.ShouldBe("running");
        await Task.Delay(TimeSpan.FromSeconds(1));
        adopted = await second.Client.Compute.Instances.GetAsync(instance.Id);
        Details(adopted).Pid.ShouldBe(pid);
        Details(adopted).RestartCount.ShouldBe(0);
        (await second.Client.Compute.Instances.GetConsoleOutputAsync(instance.Id)).Output.Split("running user data").Length.ShouldBe(2);

        var stopping = await second.Client.Compute.Instances.StopAsync(instance.Id);
        await second.Client.Compute.Instances.WaitForPhaseAsync(instance.Id, InstancesClient.StoppedPhase, ComputeServer.Wait, stopping.Version);
        (await Host.RuncStatusAsync(instance.Id)).ShouldBeNull();
    }

    [Fact]
    public async Task An_instance_that_died_while_nimbus_was_down_is_reported_and_restarted()
    {
        Prerequisites.RequireRuncHost();
        using var data = new TempDirectory("nimbus-compute");
        ResourceDto instance;
        await using (var first = await ComputeServer.StartAsync(dataDirectory: data.Path))
        {
            var created = (await first.Client.Compute.Instances.RunAsync(new RunInstancesRequest { Image = "busybox", InstanceType = "n1.micro", Name = "crash" })).Single();
            instance = await first.Client.Compute.Instances.WaitForPhaseAsync(created.Id, InstancesClient.RunningPhase, ComputeServer.Wait);
            await first.StopServerAsync();
        }

        (await Host.RunAsync("runc", ["--root", ComputeServer.RuncRoot, "kill", instance.Id, "KILL"])).ExitCode.ShouldBe(0);
        await Poll.UntilAsync(() => Host.RuncStatusAsync(instance.Id), s => s == "stopped", what: "container dead");

        await using var second = await ComputeServer.StartAsync(dataDirectory: data.Path);
        var restarted = await Poll.UntilAsync(
            () => second.Client.Compute.Instances.GetAsync(instance.Id),
            i => i.Status.Phase == "running" && Details(i).RestartCount == 1,
            what: "restarted by the on-failure policy");
        Details(restarted).LastExit.ShouldBe("killed by signal 9");
        Details(restarted).Pid.ShouldNotBe(Details(instance).Pid);
        (await Host.RuncStatusAsync(instance.Id)).ShouldBe("running");
    }
}
