using System.Text.Json;
using Nimbus.Contracts.Compute;
using Nimbus.Contracts.Resources;
using Nimbus.Core.Api;
using Nimbus.Sdk.Compute;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Compute.Tests;

/// <summary>Instances do not depend on the Nimbus process: they keep running through its restarts and are adopted after, with their network and security group rules.</summary>
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
    public async Task After_a_nimbus_restart_an_adopted_instance_keeps_its_network_metadata_and_rules_and_leftover_rules_go()
    {
        Prerequisites.RequireNetworkHost();
        using var data = new TempDirectory("nimbus-compute");
        ResourceDto instance;
        string filter, before, goneId;
        await using (var first = await ComputeServer.StartAsync(dataDirectory: data.Path))
        {
            filter = first.NftTable + "_filter";
            await first.Client.Network.SecurityGroups.AuthorizeAsync("default", "ingress", new() { Protocol = "tcp", FromPort = 80, Cidr = "0.0.0.0/0" });
            var created = (await first.Client.Compute.Instances.RunAsync(new RunInstancesRequest
            {
                Image = "busybox", InstanceType = "n1.micro", Name = "netkeeper", UserData = "mkdir -p /www\necho kept > /www/index.html\nhttpd -p 80 -h /www\n",
            })).Single();
            instance = await first.Client.Compute.Instances.WaitForPhaseAsync(created.Id, InstancesClient.RunningPhase, ComputeServer.Wait);
            var ip = InstancesClient.PrivateIpAddressOf(instance)!;
            await Poll.UntilAsync(() => NetworkTests.FetchAsync($"http://{ip}/"), p => p == "kept\n", what: "httpd before the restart");

            // A group the instance was in, with a rule, deleted before the restart: none of it may come back.
            var gone = await first.Client.Network.SecurityGroups.CreateAsync(new() { Name = "gone" });
            goneId = gone.Id;
            await first.Client.Network.SecurityGroups.AuthorizeAsync(gone.Id, "ingress", new() { Protocol = "udp", FromPort = 5353, Cidr = "0.0.0.0/0" });
            await first.Client.Network.SecurityGroups.SetInstanceGroupsAsync(instance.Id, ["default", gone.Id]);
            (await Host.RunAsync("nft", ["list", "table", "inet", filter])).Stdout.ShouldContain("udp dport 5353");
            await first.Client.Network.SecurityGroups.SetInstanceGroupsAsync(instance.Id, ["default"]);
            await first.Client.Network.SecurityGroups.DeleteAsync(gone.Id);
            before = await NftListing.CanonicalAsync(filter);
            await first.StopServerAsync();
        }

        var address = InstancesClient.PrivateIpAddressOf(instance)!;
        (await NetworkTests.FetchAsync($"http://{address}/")).ShouldBe("kept\n", "the network does not depend on the Nimbus process");

        // A leftover in the security group table while Nimbus is down (a deleted group's chain): the restart removes it.
        (await Host.RunAsync("nft", ["add", "chain", "inet", filter, "in_leftover"])).ExitCode.ShouldBe(0);

        await using var second = await ComputeServer.StartAsync(dataDirectory: data.Path);
        var rules = await Poll.UntilAsync(() => Host.RunAsync("nft", ["list", "table", "inet", filter]), r => !r.Stdout.Contains("in_leftover", StringComparison.Ordinal), what: "the leftover chain gone after the restart");
        rules.Stdout.ShouldContain("tcp dport 80 accept", customMessage: "the group's rule is in force as before");
        rules.Stdout.ShouldNotContain("5353", customMessage: "the deleted group's rule stays gone");
        rules.Stdout.ShouldNotContain(goneId.Replace('-', '_'));
        (await NftListing.CanonicalAsync(filter)).ShouldBe(before, "the restart rebuilt exactly the table the changes before it had left");
        var adopted = await second.Client.Compute.Instances.GetAsync(instance.Id);
        Details(adopted).Pid.ShouldBe(Details(instance).Pid);
        (await NetworkTests.FetchAsync($"http://{address}/")).ShouldBe("kept\n");

        // The metadata service listens again (on a new port) and the redirect follows it.
        var id = await Poll.UntilAsync(
            () => Host.RunAsync("ip", ["netns", "exec", second.NetnsOf(instance.Id), "curl", "-sS", "--max-time", "3", "http://169.254.169.254/latest/meta-data/instance-id"]),
            r => r.Stdout == instance.Id,
            what: "the metadata service after the restart");
        id.Stdout.ShouldBe(instance.Id);
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

    [Fact]
    public async Task After_a_host_reboot_running_instances_come_back_with_their_files()
    {
        Prerequisites.RequireRuncHost();
        using var data = new TempDirectory("nimbus-compute");
        ResourceDto instance;
        ResourceDto stopped;
        await using (var first = await ComputeServer.StartAsync(dataDirectory: data.Path))
        {
            var created = (await first.Client.Compute.Instances.RunAsync(new RunInstancesRequest { Image = "busybox", InstanceType = "n1.micro", Name = "phoenix", UserData = "echo first boot\n" })).Single();
            instance = await first.Client.Compute.Instances.WaitForPhaseAsync(created.Id, InstancesClient.RunningPhase, ComputeServer.Wait);
            (await Host.ExecAsync(instance.Id, "sh", "-c", "echo kept > /root-file")).ExitCode.ShouldBe(0);
            var other = (await first.Client.Compute.Instances.RunAsync(new RunInstancesRequest { Image = "busybox", InstanceType = "n1.micro", Name = "resting" })).Single();
            await first.Client.Compute.Instances.WaitForPhaseAsync(other.Id, InstancesClient.RunningPhase, ComputeServer.Wait);
            var stopping = await first.Client.Compute.Instances.StopAsync(other.Id, force: true);
            stopped = await first.Client.Compute.Instances.WaitForPhaseAsync(other.Id, InstancesClient.StoppedPhase, ComputeServer.Wait, stopping.Version);
            await first.StopServerAsync();
        }

        // What a reboot does behind Nimbus's back: every process gone, runc's state (tmpfs) gone, the overlay unmounted.
        (await Host.RunAsync("runc", ["--root", ComputeServer.RuncRoot, "kill", instance.Id, "KILL"])).ExitCode.ShouldBe(0);
        await Poll.UntilAsync(() => Host.RuncStatusAsync(instance.Id), s => s == "stopped", what: "container dead");
        (await Host.RunAsync("runc", ["--root", ComputeServer.RuncRoot, "delete", "--force", instance.Id])).ExitCode.ShouldBe(0);
        var rootfs = Path.Combine(data.Path, "compute", "instances", instance.Id, "rootfs");
        (await Host.RunAsync("umount", [rootfs])).ExitCode.ShouldBe(0);

        // /run is a tmpfs too: the instance's named network namespace (and with it its veth pair) is gone.
        foreach (var netns in Host.MountsOf(instance.Id).Where(m => m.StartsWith("/run/netns/", StringComparison.Ordinal)))
        {
            (await Host.RunAsync("ip", ["netns", "delete", Path.GetFileName(netns)])).ExitCode.ShouldBe(0);
        }

        Host.MountsOf(instance.Id).ShouldBeEmpty();
        (await Host.RuncStatusAsync(instance.Id)).ShouldBeNull();

        await using var second = await ComputeServer.StartAsync(dataDirectory: data.Path);
        var back = await Poll.UntilAsync(
            () => second.Client.Compute.Instances.GetAsync(instance.Id),
            i => i.Status.Phase == "running" && Details(i).Pid is { } pid && pid != Details(instance).Pid,
            what: "started again after the reboot");
        (await Host.RuncStatusAsync(instance.Id)).ShouldBe("running");
        Details(back).RestartCount.ShouldBe(0, "a reboot is not a crash of the workload");
        Host.MountsOf(instance.Id).ShouldContain(m => m.StartsWith("/run/netns/", StringComparison.Ordinal), "its network namespace is made again");
        Details(back).LastExit.ShouldBeNull();
        (await Host.ExecAsync(instance.Id, "cat", "/root-file")).Stdout.ShouldBe("kept\n");
        (await second.Client.Compute.Instances.GetConsoleOutputAsync(instance.Id)).Output.Split("first boot").Length.ShouldBe(2, "user data runs at the first boot only");

        // The stopped one stays stopped.
        (await second.Client.Compute.Instances.GetAsync(stopped.Id)).Status.Phase.ShouldBe("stopped");
        (await Host.RuncStatusAsync(stopped.Id)).ShouldBeNull();
    }
}
