using System.Text.Json;
using Nimbus.Contracts.Compute;
using Nimbus.Contracts.Resources;
using Nimbus.Core.Api;
using Nimbus.Sdk.Compute;
using Shouldly;
using Xunit;

namespace Nimbus.Compute.Tests;

/// <summary>Instances that really run: busybox containers under runc, looked at from the host.</summary>
public sealed class InstanceLifecycleTests : IAsyncLifetime
{
    private ComputeServer _server = null!;

    private InstancesClient Instances => _server.Client.Compute.Instances;

    public async Task InitializeAsync()
    {
        Prerequisites.RequireRuncHost();
        _server = await ComputeServer.StartAsync();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<ResourceDto> RunAsync(string name, string? userData = null, string type = "n1.micro")
    {
        var created = (await Instances.RunAsync(new RunInstancesRequest { Image = "busybox", InstanceType = type, Name = name, UserData = userData })).Single();
        return await Instances.WaitForPhaseAsync(created.Id, InstancesClient.RunningPhase, ComputeServer.Wait);
    }

    private async Task<string> ConsoleAsync(string id) => (await Instances.GetConsoleOutputAsync(id)).Output;

    private static string? ProcessState(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static InstanceDetailsDto Details(ResourceDto instance) => instance.Status.Details!.Value.Deserialize<InstanceDetailsDto>(NimbusJson.Options)!;

    [Fact]
    public async Task Busybox_httpd_started_by_user_data_answers_inside_the_instance()
    {
        const string userData = "#!/bin/sh\nmkdir -p /www\necho hello from $(hostname) > /www/index.html\nhttpd -p 80 -h /www\necho httpd started\n";
        var instance = await RunAsync("web1", userData);
        instance.Id.ShouldStartWith("i-");
        instance.Kind.ShouldBe("compute/instance");
        Details(instance).Pid.ShouldNotBeNull();

        await Poll.UntilAsync(() => ConsoleAsync(instance.Id), c => c.Contains("httpd started", StringComparison.Ordinal), what: "user data output on the console");
        var (code, stdout, stderr) = await Host.ExecAsync(instance.Id, "wget", "-q", "-O", "-", "http://127.0.0.1:80/");
        code.ShouldBe(0, stderr);
        stdout.ShouldBe("hello from web1\n");

        var console = await ConsoleAsync(instance.Id);
        console.ShouldContain("nimbus-init: running user data");
        console.ShouldContain("nimbus-init: user data exited with code 0");
        (await Host.RuncStatusAsync(instance.Id)).ShouldBe("running");
    }

    [Fact]
    public async Task Stats_show_the_limits_processes_and_loopback_traffic_of_a_running_instance()
    {
        var instance = await RunAsync("stats", "httpd -p 80 -h /etc\nwget -qO /dev/null http://127.0.0.1/hosts && echo fetched\n");
        await Poll.UntilAsync(() => ConsoleAsync(instance.Id), c => c.Contains("fetched", StringComparison.Ordinal));

        var stats = await Instances.GetStatsAsync(instance.Id);
        stats.InstanceId.ShouldBe(instance.Id);
        stats.MemoryLimitBytes.ShouldBe(256L * 1024 * 1024);
        stats.MemoryBytes.ShouldBeGreaterThan(0);
        stats.PidsLimit.ShouldBe(256);
        stats.Pids.ShouldBeGreaterThanOrEqualTo(2, "the init and httpd");
        stats.CpuUsageNanoseconds.ShouldBeGreaterThan(0);
        var loopback = stats.Network.Single(n => n.Name == "lo");
        loopback.RxBytes.ShouldBeGreaterThan(0);
        string.Join(",", stats.Network.Select(n => n.Name).Order(StringComparer.Ordinal)).ShouldBe("eth0,lo", "loopback and the interface on the default network");

        var stopping = await Instances.StopAsync(instance.Id, force: true);
        await Instances.WaitForPhaseAsync(instance.Id, InstancesClient.StoppedPhase, ComputeServer.Wait, stopping.Version);
        (await Should.ThrowAsync<Nimbus.Sdk.NimbusApiException>(() => Instances.GetStatsAsync(instance.Id))).Code.ShouldBe("IncorrectInstanceState");
    }

    [Fact]
    public async Task A_file_written_before_stop_is_there_after_start_and_user_data_runs_once()
    {
        var instance = await RunAsync("disk", "echo first boot >> /root/boots\n");
        await Poll.UntilAsync(() => ConsoleAsync(instance.Id), c => c.Contains("user data exited", StringComparison.Ordinal));
        (await Host.ExecAsync(instance.Id, "sh", "-c", "echo kept > /root/note")).ExitCode.ShouldBe(0);

        var stopping = await Instances.StopAsync(instance.Id);
        var stopped = await Instances.WaitForPhaseAsync(instance.Id, InstancesClient.StoppedPhase, ComputeServer.Wait, stopping.Version);
        Details(stopped).Pid.ShouldBeNull();
        (await Host.RuncStatusAsync(instance.Id)).ShouldBeNull();
        Host.MountsOf(instance.Id).ShouldBeEmpty();

        var starting = await Instances.StartAsync(instance.Id);
        await Instances.WaitForPhaseAsync(instance.Id, InstancesClient.RunningPhase, ComputeServer.Wait, starting.Version);
        (await Host.ExecAsync(instance.Id, "cat", "/root/note", "/root/boots")).Stdout.ShouldBe("kept\nfirst boot\n");
        (await ConsoleAsync(instance.Id)).Split("running user data").Length.ShouldBe(2);
    }

    [Fact]
    public async Task A_memory_hog_is_oom_killed_and_the_instance_reports_it()
    {
        // n1.micro: 256 MiB, no swap. tail buffers its whole input, so it grows until the OOM killer ends it.
        var instance = await RunAsync("hog", "head -c 600m /dev/zero | tail > /dev/null\necho hog done\n");
        var reported = await Poll.UntilAsync(() => Instances.GetAsync(instance.Id), i => Details(i).OomKills > 0, what: "OOM kill reported");

        reported.Status.Phase.ShouldBe("running");
        reported.Status.Conditions.ShouldContain(c => c.Type == "OomKilled" && c.Status == "True");
        reported.Status.Message!.ShouldContain("OOM-killed");
        var limit = (256L * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture);
        (await File.ReadAllTextAsync(Host.CgroupFile("memory", instance.Id, "memory.limit_in_bytes"))).Trim().ShouldBe(limit);
        (await File.ReadAllTextAsync(Host.CgroupFile("memory", instance.Id, "memory.memsw.limit_in_bytes"))).Trim().ShouldBe(limit, "memory+swap equals memory: no swap");
        (await Host.ExecAsync(instance.Id, "true")).ExitCode.ShouldBe(0);
    }

    [Fact]
    public async Task Cpu_quota_holds_under_busy_loops()
    {
        // Two busy loops in a 1-vCPU instance: on a machine with 2 or more CPUs they would take 2 without the quota.
        var instance = await RunAsync("busy", "sh -c 'while :; do :; done' &\nsh -c 'while :; do :; done' &\n", "c1.micro");
        var usage = Host.CgroupFile("cpuacct", instance.Id, "cpuacct.usage");
        await Poll.UntilAsync(() => Task.FromResult(long.Parse(File.ReadAllText(usage).Trim(), System.Globalization.CultureInfo.InvariantCulture)), u => u > 200_000_000, what: "loops running");

        var before = long.Parse((await File.ReadAllTextAsync(usage)).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(3));
        var after = long.Parse((await File.ReadAllTextAsync(usage)).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var cpus = (after - before) / (clock.Elapsed.TotalMilliseconds * 1_000_000);

        cpus.ShouldBeLessThanOrEqualTo(1.1, $"used {cpus:0.00} CPUs with a quota of 1");
        cpus.ShouldBeGreaterThan(0.3, $"used {cpus:0.00} CPUs: the loops did not run");
        (await File.ReadAllTextAsync(Host.CgroupFile("cpu", instance.Id, "cpu.cfs_quota_us"))).Trim().ShouldBe("100000");
    }

    [Fact]
    public async Task Terminate_leaves_no_trace_on_the_host()
    {
        var instance = await RunAsync("gone", "sleep 1000 &\n");
        var directory = _server.InstanceDirectory(instance.Id);
        Directory.Exists(directory).ShouldBeTrue();
        Host.CgroupsOf(instance.Id).ShouldNotBeEmpty();
        Host.MountsOf(instance.Id).ShouldNotBeEmpty();
        var pid = Details(instance).Pid!.Value;

        var terminating = await Instances.TerminateAsync(instance.Id);
        var terminated = await Instances.WaitForPhaseAsync(instance.Id, InstancesClient.TerminatedPhase, ComputeServer.Wait, terminating.Version);

        Details(terminated).TerminatedAt.ShouldNotBeNull();
        (await Host.RuncStatusAsync(instance.Id)).ShouldBeNull();
        Directory.Exists(Path.Combine(ComputeServer.RuncRoot, instance.Id)).ShouldBeFalse();
        Host.CgroupsOf(instance.Id).ShouldBeEmpty();
        Host.MountsOf(instance.Id).ShouldBeEmpty();
        Directory.Exists(directory).ShouldBeFalse();
        // The init is gone (or a zombie its reaper, the host's PID 1, has not collected yet: it holds nothing).
        await Poll.UntilAsync(() => Task.FromResult(ProcessState(pid)), s => s is null or "Z", what: $"init {pid} gone");
        var quotas = await _server.Client.Quotas.ListAsync();
        quotas.Items.Single(q => q.Code == "compute.instances").Usage.ShouldBe(0);

        // The garbage check agrees, and it does find what nothing owns.
        var report = await _server.Client.SendAsync<GarbageReportDto>(HttpMethod.Post, "/v1/compute/garbage/run");
        report.Leaks.ShouldBeEmpty();
        var stray = Path.Combine(_server.DataDirectory, "compute", "instances", "i-strayleftove");
        Directory.CreateDirectory(stray);
        report = await _server.Client.SendAsync<GarbageReportDto>(HttpMethod.Post, "/v1/compute/garbage/run");
        report.Leaks.ShouldBe([new GarbageLeakDto { Kind = "instance-directory", Id = "i-strayleftove", Location = stray }]);
        Directory.Exists(stray).ShouldBeTrue("the check reports, it does not delete");
        (await _server.Client.SendAsync<GarbageReportDto>(HttpMethod.Get, "/v1/compute/garbage")).Leaks.Count.ShouldBe(1);
        Directory.Delete(stray);
        quotas.Items.Single(q => q.Code == "compute.vcpus").Usage.ShouldBe(0);
    }
}
