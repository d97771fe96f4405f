using System.Text.Json;
using Nimbus.Contracts.Compute;
using Nimbus.Contracts.Resources;
using Nimbus.Core.Api;
using Nimbus.Sdk;
using Nimbus.Sdk.Compute;
using Shouldly;
using Xunit;

namespace Nimbus.Compute.Tests;

/// <summary>Reboot, resize, protection, clear errors, quotas, capacity and IAM of instances.</summary>
public sealed class InstanceOperationsTests : IAsyncLifetime
{
    private ComputeServer _server = null!;

    private InstancesClient Instances => _server.Client.Compute.Instances;

    public async Task InitializeAsync()
    {
        Prerequisites.RequireRuncHost();
        _server = await ComputeServer.StartAsync(o => o with { ComputeCpuOvercommitRatio = 4 });
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static InstanceDetailsDto Details(ResourceDto instance) => instance.Status.Details!.Value.Deserialize<InstanceDetailsDto>(NimbusJson.Options)!;

    private static InstanceSpec Spec(ResourceDto instance) => instance.Spec.Deserialize<InstanceSpec>(NimbusJson.Options)!;

    private async Task<ResourceDto> RunAsync(RunInstancesRequest request)
    {
        var created = (await Instances.RunAsync(request)).Single();
        return await Instances.WaitForPhaseAsync(created.Id, InstancesClient.RunningPhase, ComputeServer.Wait);
    }

    private static async Task<NimbusApiException> ProblemAsync(Func<Task> call)
    {
        return await Should.ThrowAsync<NimbusApiException>(call);
    }

    [Fact]
    public async Task Reboot_restarts_the_init_on_the_same_disk_without_running_user_data_again()
    {
        var instance = await RunAsync(new RunInstancesRequest { Image = "busybox", InstanceType = "n1.micro", Name = "rb", UserData = "echo boot >> /root/boots\n" });
        var firstPid = Details(instance).Pid;

        var rebooting = await Instances.RebootAsync(instance.Id);
        Spec(rebooting).RebootCount.ShouldBe(1);
        var rebooted = await Poll.UntilAsync(() => Instances.GetAsync(instance.Id), i => i.Status.Phase == "running" && Details(i).RebootCount == 1, what: "rebooted");

        Details(rebooted).Pid.ShouldNotBe(firstPid);
        Details(rebooted).RestartCount.ShouldBe(0);
        (await Host.ExecAsync(instance.Id, "cat", "/root/boots")).Stdout.ShouldBe("boot\n");
    }

    [Fact]
    public async Task A_workload_that_ends_by_itself_follows_the_restart_policy()
    {
        var once = (await Instances.RunAsync(new RunInstancesRequest { Image = "busybox", InstanceType = "n1.micro", Name = "once", Command = ["sh", "-c", "echo working; exit 3"], RestartPolicy = "never" })).Single();
        var clean = (await Instances.RunAsync(new RunInstancesRequest { Image = "busybox", InstanceType = "n1.micro", Name = "clean", Command = ["true"], RestartPolicy = "never" })).Single();
        var flaky = (await Instances.RunAsync(new RunInstancesRequest { Image = "busybox", InstanceType = "n1.micro", Name = "flaky", Command = ["sh", "-c", "exit 1"] })).Single();

        var failed = await Poll.UntilAsync(() => Instances.GetAsync(once.Id), i => i.Status.Phase == "failed", what: "failed by exit 3");
        failed.Status.Message.ShouldBe("the workload exited with code 3 (restart policy never)");
        Details(failed).LastExit.ShouldBe("exited with code 3");
        (await Host.RuncStatusAsync(once.Id)).ShouldBeNull();
        var console = (await Instances.GetConsoleOutputAsync(once.Id)).Output;
        console.ShouldContain("working\n");
        console.ShouldContain("nimbus-init: workload ended");

        var stopped = await Poll.UntilAsync(() => Instances.GetAsync(clean.Id), i => i.Status.Phase == "stopped", what: "stopped by exit 0");
        stopped.Status.Message.ShouldBe("the workload exited with code 0");

        var restarting = await Poll.UntilAsync(() => Instances.GetAsync(flaky.Id), i => Details(i).RestartCount >= 2, what: "restarted by on-failure");
        Details(restarting).LastExit.ShouldBe("exited with code 1");

        // A start runs a failed instance again: it fails again the same way.
        var starting = await Instances.StartAsync(once.Id);
        await Poll.UntilAsync(() => Instances.GetAsync(once.Id), i => i.Status.Phase == "failed" && i.Status.ObservedVersion == starting.Version, what: "failed again");
        (await Instances.GetConsoleOutputAsync(once.Id)).Output.Split("working").Length.ShouldBe(3);
    }

    [Fact]
    public async Task Instance_type_changes_only_while_stopped_and_applies_at_the_next_start()
    {
        var instance = await RunAsync(new RunInstancesRequest { Image = "busybox", InstanceType = "n1.micro", Name = "grow" });
        var refused = await ProblemAsync(() => Instances.ModifyAsync(instance.Id, new ModifyInstanceRequest { InstanceType = "n1.small" }));
        refused.Code.ShouldBe("IncorrectInstanceState");
        refused.Message.ShouldContain("running");

        var stopping = await Instances.StopAsync(instance.Id, force: true);
        await Instances.WaitForPhaseAsync(instance.Id, InstancesClient.StoppedPhase, ComputeServer.Wait, stopping.Version);
        var modified = await Instances.ModifyAsync(instance.Id, new ModifyInstanceRequest { InstanceType = "n1.small" });
        Spec(modified).InstanceType.ShouldBe("n1.small");
        Spec(modified).MemoryMiB.ShouldBe(1024);
        (await _server.Client.Quotas.ListAsync()).Items.Single(q => q.Code == "compute.memoryMiB").Usage.ShouldBe(1024);

        var starting = await Instances.StartAsync(instance.Id);
        var running = await Instances.WaitForPhaseAsync(instance.Id, InstancesClient.RunningPhase, ComputeServer.Wait, starting.Version);
        Details(running).AppliedInstanceType.ShouldBe("n1.small");
        (await File.ReadAllTextAsync(Host.CgroupFile("memory", instance.Id, "memory.limit_in_bytes"))).Trim().ShouldBe((1024L * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Deletion_protection_refuses_terminate_until_turned_off()
    {
        var instance = await RunAsync(new RunInstancesRequest { Image = "busybox", InstanceType = "n1.micro", Name = "keep", DeletionProtection = true });
        var refused = await ProblemAsync(() => Instances.TerminateAsync(instance.Id));
        refused.Code.ShouldBe("OperationNotPermitted");
        (await Host.RuncStatusAsync(instance.Id)).ShouldBe("running");

        await Instances.ModifyAsync(instance.Id, new ModifyInstanceRequest { DeletionProtection = false });
        var terminating = await Instances.TerminateAsync(instance.Id);
        await Instances.WaitForPhaseAsync(instance.Id, InstancesClient.TerminatedPhase, ComputeServer.Wait, terminating.Version);
        (await ProblemAsync(() => Instances.StartAsync(instance.Id))).Code.ShouldBe("IncorrectInstanceState");
    }

    [Fact]
    public async Task Bad_requests_name_every_problem_and_create_nothing()
    {
        var invalid = await ProblemAsync(() => Instances.RunAsync(new RunInstancesRequest
        {
            Image = "no-such-image",
            InstanceType = "x9.huge",
            Name = "bad name",
            Hostname = "-bad-",
            UserData = new string('x', 16 * 1024 + 1),
            Count = 51,
            Environment = new Dictionary<string, string> { ["1BAD"] = "v" },
            RestartPolicy = "sometimes",
            Command = [""],
        }));
        invalid.Code.ShouldBe("InvalidParameter");
        invalid.Problem!.Errors.Select(e => e.Field).ShouldBe(["count", "name", "hostname", "userData", "environment.1BAD", "command", "restartPolicy", "instanceType", "image"], ignoreOrder: true);
        invalid.Problem.Errors.Single(e => e.Field == "userData").Message.ShouldContain("16 KiB");
        invalid.Problem.Errors.Single(e => e.Field == "instanceType").Message.ShouldContain("n1.micro");

        var missing = await ProblemAsync(() => Instances.RunAsync(new RunInstancesRequest()));
        missing.Problem!.Errors.Select(e => e.Field).ShouldBe(["image", "instanceType"], ignoreOrder: true);
        (await ProblemAsync(() => Instances.GetAsync("i-000000000000"))).Code.ShouldBe("NotFound");
        (await ProblemAsync(() => Instances.GetConsoleOutputAsync("i-000000000000"))).Code.ShouldBe("NotFound");
        (await Instances.ListAsync()).Items.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_batch_is_all_or_nothing_against_quota_and_capacity()
    {
        var cpus = Environment.ProcessorCount;

        // More vCPUs than the node offers (CPUs x overcommit 4): InsufficientCapacity, nothing created, nothing held.
        var full = await ProblemAsync(() => Instances.RunAsync(new RunInstancesRequest { Image = "busybox", InstanceType = "c1.large", Count = (cpus / 2) + 1 }));
        full.Code.ShouldBe("InsufficientCapacity");
        full.Message.ShouldContain("overcommit");

        await _server.Client.Quotas.SetAsync("compute.instances", 2);
        var quota = await ProblemAsync(() => Instances.RunAsync(new RunInstancesRequest { Image = "busybox", InstanceType = "n1.micro", Name = "q", Count = 3 }));
        quota.Code.ShouldBe("QuotaExceeded");
        (await Instances.ListAsync()).Items.ShouldBeEmpty();
        (await _server.Client.Quotas.ListAsync()).Items.Single(q => q.Code == "compute.vcpus").Usage.ShouldBe(0);

        var two = await Instances.RunAsync(new RunInstancesRequest { Image = "busybox", InstanceType = "n1.micro", Name = "q", Count = 2 });
        two.Select(i => i.Name).ShouldBe(["q-1", "q-2"]);
        two.Select(i => Spec(i).Hostname).ShouldBe(["q-1", "q-2"]);
        foreach (var instance in two)
        {
            await Instances.WaitForPhaseAsync(instance.Id, InstancesClient.RunningPhase, ComputeServer.Wait);
        }

        (await Host.ExecAsync(two[1].Id, "hostname")).Stdout.ShouldBe("q-2\n");
        (await ProblemAsync(() => Instances.RunAsync(new RunInstancesRequest { Image = "busybox", InstanceType = "n1.micro", Name = "dup" }))).Code.ShouldBe("QuotaExceeded");
    }

    [Fact]
    public async Task Instance_calls_are_audited_without_the_user_data()
    {
        var instance = await RunAsync(new RunInstancesRequest { Image = "busybox", InstanceType = "n1.micro", Name = "audited", UserData = "echo s3cr3t-in-user-data\n" });
        await Instances.StopAsync(instance.Id, force: true);

        var events = await Poll.UntilAsync(
            async () => (await _server.Client.Audit.ListEventsAsync(new Nimbus.Sdk.Audit.AuditEventFilter { Action = "compute:*" })).Items,
            items => items.Any(e => e.Action == "compute:StopInstances"),
            what: "audit records");
        var run = events.Single(e => e.Action == "compute:RunInstances");
        run.Outcome.ShouldBe("allowed");
        var parameters = run.RequestParameters!.Value.GetRawText();
        parameters.ShouldContain("\"userData\":\"***REDACTED***\"");
        parameters.ShouldNotContain("s3cr3t");
    }

    [Fact]
    public async Task Read_only_access_lists_instances_but_cannot_run_them()
    {
        var user = await _server.Client.Iam.Users.CreateAsync(new Contracts.Iam.CreateUserRequest { Name = "viewer" });
        await _server.Client.Iam.Users.AttachPolicyAsync(user.Id, "ComputeReadOnlyAccess");
        var key = await _server.Client.Iam.AccessKeys.CreateAsync("viewer");
        using var viewer = new NimbusClient(_server.Client.Options with { Credentials = new Contracts.Signing.SigV4Credentials(key.AccessKey.AccessKeyId, key.SecretAccessKey) });

        (await viewer.Compute.InstanceTypes.ListAsync()).ShouldNotBeEmpty();
        (await viewer.Compute.Images.ListAsync()).Select(i => i.Name).ShouldBe(["busybox"]);
        (await viewer.Compute.Instances.ListAsync()).Items.ShouldBeEmpty();
        var denied = await ProblemAsync(() => viewer.Compute.Instances.RunAsync(new RunInstancesRequest { Image = "busybox", InstanceType = "n1.micro" }));
        denied.Code.ShouldBe("AccessDenied");
        denied.Message.ShouldContain("compute:RunInstances");
    }
}
