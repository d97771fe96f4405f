// Driver of bench/compute.sh (issue 5's benchmark). Prints one line per measurement: NAME p50 p99 max wall (ms),
// or NAME key=value ... for memory.
//   setup  ENDPOINT CREDENTIALS_JSON                         raise the compute quotas of the admin account
//   raw    RUNC_ROOT IMAGE_ROOTFS WORK_DIR N ROUNDS          raw runc: overlay mount + runc run -d, until the first output; N at once, ROUNDS times
//          (N > 1 and several rounds: each round's p50 and CPU per start, and their medians, too)
//   create ENDPOINT CREDENTIALS_JSON N ROUNDS [SERVER_PID]   Nimbus: run instance until phase running and its first console output, N at once; then terminate them all; ROUNDS times (with the pid: the server's CPU per start)
//   idle   ENDPOINT CREDENTIALS_JSON N SERVER_PID            memory of N idle instances: Nimbus's RSS growth, host memory, instance cgroups, console loggers
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Nimbus.Contracts.Compute;
using Nimbus.Contracts.Signing;
using Nimbus.Sdk;
using Nimbus.Sdk.Compute;

const string Workload = "echo ready; exec sleep 100000";
const string InstanceType = "b1.nano";
var poll = TimeSpan.FromMilliseconds(10);
var timeout = TimeSpan.FromMinutes(3);

NimbusClient Client(string endpoint, string credentialsPath)
{
    using var document = JsonDocument.Parse(File.ReadAllText(credentialsPath));
    var root = document.RootElement;
    return new NimbusClient(new NimbusClientOptions
    {
        Endpoint = new Uri(endpoint),
        Credentials = new SigV4Credentials(root.GetProperty("accessKeyId").GetString()!, root.GetProperty("secretAccessKey").GetString()!),
        Region = root.GetProperty("region").GetString()!,
        WaitPollInterval = poll,
    });
}

static string Summary(string name, List<double> samples, double wall)
{
    samples.Sort();
    double At(double q) => samples[Math.Min(samples.Count - 1, (int)Math.Ceiling(q * samples.Count) - 1)];
    return string.Create(CultureInfo.InvariantCulture, $"{name} {At(0.5):0.0} {At(0.99):0.0} {samples[^1]:0.0} {wall:0.0}");
}

// With several rounds of N at once: each round's p50 and CPU per start, and their medians. One round of 50 moved by 2x
// between runs minutes apart (tiered JIT and background work land in different rounds); the median of rounds does not.
static string Rounds(List<double> roundP50s, List<double> roundCpus)
{
    if (roundP50s.Count < 2)
    {
        return "";
    }

    static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    return string.Create(CultureInfo.InvariantCulture, $"\n  rounds: p50 {string.Join(' ', roundP50s.Select(p => p.ToString("0.0", CultureInfo.InvariantCulture)))} ms, median of rounds {Median(roundP50s):0.0} ms")
        + (roundCpus.Count == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $"; cpu per start {string.Join(' ', roundCpus.Select(c => c.ToString("0.0", CultureInfo.InvariantCulture)))} ms, median {Median(roundCpus):0.0} ms"));
}

static double P50(IEnumerable<double> values)
{
    var sorted = values.Order().ToList();
    return sorted[Math.Max(0, (int)Math.Ceiling(0.5 * sorted.Count) - 1)];
}

static async Task<(int Code, string Output)> RunAsync(string program, params string[] arguments)
{
    var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var argument in arguments)
    {
        start.ArgumentList.Add(argument);
    }

    using var process = Process.Start(start)!;
    var output = process.StandardOutput.ReadToEndAsync();
    var errors = process.StandardError.ReadToEndAsync();
    await process.WaitForExitAsync();
    return (process.ExitCode, await output + await errors);
}

async Task<(double Running, double Output)> WaitRunningWithOutputAsync(InstancesClient instances, string id, Stopwatch clock)
{
    // The SDK's wait is the API's long poll: the answer comes with the commit of phase running, as `--wait` sees it.
    var deadline = DateTime.UtcNow + timeout;
    await instances.WaitForPhaseAsync(id, InstancesClient.RunningPhase, timeout);

    var running = clock.Elapsed.TotalMilliseconds;
    while (!(await instances.GetConsoleOutputAsync(id)).Output.Contains("ready", StringComparison.Ordinal))
    {
        if (DateTime.UtcNow > deadline)
        {
            throw new InvalidOperationException($"{id} runs but wrote nothing");
        }

        await Task.Delay(poll);
    }

    return (running, clock.Elapsed.TotalMilliseconds);
}

switch (args.FirstOrDefault())
{
    case "setup":
    {
        using var client = Client(args[1], args[2]);
        await client.Quotas.SetAsync("compute.instances", 10_000);
        await client.Quotas.SetAsync("compute.vcpus", 10_000);
        await client.Quotas.SetAsync("compute.memoryMiB", 10_000_000);
        return 0;
    }

    case "raw":
    {
        var (runcRoot, lower, work, count, rounds) = (args[1], args[2], args[3], int.Parse(args[4], CultureInfo.InvariantCulture), int.Parse(args[5], CultureInfo.InvariantCulture));
        var runc = (await RunAsync("sh", "-c", "command -v runc")).Output.Trim();
        var template = await File.ReadAllTextAsync(Path.Combine(work, "config.template.json"));
        var all = new List<double>();
        var walls = new List<double>();
        var (roundP50s, roundCpus) = (new List<double>(), new List<double>());
        double cpu = 0;
        for (var round = 0; round < rounds; round++)
        {
        var run = Guid.NewGuid().ToString("N")[..6];
        var cpuBefore = CpuMs("self", self: false);
        var wall = Stopwatch.StartNew();
        var samples = await Task.WhenAll(Enumerable.Range(0, count).Select(i => Task.Run(async () =>
        {
            var id = $"raw-{run}-{i}";
            var bundle = Path.Combine(work, id);
            var clock = Stopwatch.StartNew();
            foreach (var directory in new[] { "upper", "work", "rootfs" })
            {
                Directory.CreateDirectory(Path.Combine(bundle, directory));
            }

            var mount = await RunAsync("mount", "-t", "overlay", "overlay", "-o", $"lowerdir={lower},upperdir={bundle}/upper,workdir={bundle}/work", Path.Combine(bundle, "rootfs"));
            if (mount.Code != 0)
            {
                throw new InvalidOperationException("mount: " + mount.Output);
            }

            await File.WriteAllTextAsync(Path.Combine(bundle, "config.json"), template.Replace("ROOTFS", Path.Combine(bundle, "rootfs"), StringComparison.Ordinal));
            var log = Path.Combine(bundle, "console.log");
            var started = await RunAsync("sh", "-c", "exec \"$@\" >\"$0\" 2>&1 </dev/null", log, runc, "--root", runcRoot, "run", "--detach", "--bundle", bundle, id);
            if (started.Code != 0)
            {
                throw new InvalidOperationException("runc run: " + started.Output + File.ReadAllText(log));
            }

            while (!File.ReadAllText(log).Contains("ready", StringComparison.Ordinal))
            {
                await Task.Delay(1);
            }

            return clock.Elapsed.TotalMilliseconds;
        }))).ConfigureAwait(false);
        walls.Add(wall.Elapsed.TotalMilliseconds);
        var roundCpu = CpuMs("self", self: false) - cpuBefore;
        cpu += roundCpu;
        all.AddRange(samples);
        roundP50s.Add(P50(samples));
        roundCpus.Add(roundCpu / count);

        // Leave nothing: the containers, their mounts, their directories.
        await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            var id = $"raw-{run}-{i}";
            await RunAsync(runc, "--root", runcRoot, "delete", "--force", id);
            await RunAsync("umount", Path.Combine(work, id, "rootfs"));
            Directory.Delete(Path.Combine(work, id), recursive: true);
        }));
        }

        Console.WriteLine(Summary($"raw-runc-{count}", all, walls.Average()) + string.Create(CultureInfo.InvariantCulture, $"; cpu per start (mount, runc run) {cpu / (rounds * count):0.0} ms") + (count > 1 ? Rounds(roundP50s, roundCpus) : ""));
        return 0;
    }

    case "create":
    {
        using var client = Client(args[1], args[2]);
        var (count, rounds) = (int.Parse(args[3], CultureInfo.InvariantCulture), int.Parse(args[4], CultureInfo.InvariantCulture));
        var serverPid = args.Length > 5 ? args[5] : null;
        double cpu = 0, spawned = 0;
        var instances = client.Compute.Instances;
        var (allCreated, allTerminated, createWalls, terminateWalls) = (new List<double>(), new List<double>(), new List<double>(), new List<double>());
        var (posts, runnings) = (new List<double>(), new List<double>());
        var (roundP50s, roundCpus) = (new List<double>(), new List<double>());
        for (var round = 0; round < rounds; round++)
        {
        var run = Guid.NewGuid().ToString("N")[..6];
        var ids = new string[count];
        var cpuBefore = serverPid is null ? 0 : CpuMs(serverPid, self: true);
        var spawnedBefore = serverPid is null ? 0 : CpuMs(serverPid, self: false);
        var wall = Stopwatch.StartNew();
        var created = await Task.WhenAll(Enumerable.Range(0, count).Select(i => Task.Run(async () =>
        {
            var clock = Stopwatch.StartNew();
            var instance = (await instances.RunAsync(new RunInstancesRequest { Image = "busybox", InstanceType = InstanceType, Name = $"bench-{run}-{i}", Command = ["sh", "-c", Workload] })).Single();
            var post = clock.Elapsed.TotalMilliseconds;
            ids[i] = instance.Id;
            var (running, output) = await WaitRunningWithOutputAsync(instances, instance.Id, clock);
            return (post, running, output);
        })));
        createWalls.Add(wall.Elapsed.TotalMilliseconds);
        var roundCpu = serverPid is null ? 0 : CpuMs(serverPid, self: true) - cpuBefore;
        cpu += roundCpu;
        spawned += serverPid is null ? 0 : CpuMs(serverPid, self: false) - spawnedBefore;
        roundP50s.Add(P50(created.Select(c => c.output)));
        if (serverPid is not null)
        {
            roundCpus.Add(roundCpu / count);
        }

        allCreated.AddRange(created.Select(c => c.output));
        posts.AddRange(created.Select(c => c.post));
        runnings.AddRange(created.Select(c => c.running));

        wall.Restart();
        var terminated = await Task.WhenAll(ids.Select(id => Task.Run(async () =>
        {
            var clock = Stopwatch.StartNew();
            var changed = await instances.TerminateAsync(id);
            await instances.WaitForPhaseAsync(id, InstancesClient.TerminatedPhase, timeout, changed.Version);
            return clock.Elapsed.TotalMilliseconds;
        })));
        terminateWalls.Add(wall.Elapsed.TotalMilliseconds);
        allTerminated.AddRange(terminated);
        }

        Console.WriteLine(Summary($"nimbus-create-{count}", allCreated, createWalls.Average())
            + (serverPid is null ? "" : string.Create(CultureInfo.InvariantCulture, $"; cpu per start (server and what it spawns) {cpu / (rounds * count):0.0} ms, of which spawned processes {spawned / (rounds * count):0.0} ms"))
            + (count > 1 ? Rounds(roundP50s, roundCpus) : ""));
        Console.WriteLine(Summary($"  of which: API call answered", posts, 0) + "; " + Summary("phase running seen", runnings, 0));
        Console.WriteLine(Summary($"nimbus-terminate-{count}", allTerminated, terminateWalls.Average()));
        return 0;
    }

    case "idle":
    {
        using var client = Client(args[1], args[2]);
        var (count, serverPid) = (int.Parse(args[3], CultureInfo.InvariantCulture), int.Parse(args[4], CultureInfo.InvariantCulture));
        var instances = client.Compute.Instances;
        GC.Collect();
        await Task.Delay(TimeSpan.FromSeconds(2));
        var rssBefore = Kib($"/proc/{serverPid}/status", "VmRSS:");
        var availableBefore = Kib("/proc/meminfo", "MemAvailable:");
        var run = Guid.NewGuid().ToString("N")[..6];
        var ids = new List<string>();
        for (var batch = 0; batch < count; batch += 50)
        {
            var created = await instances.RunAsync(new RunInstancesRequest { Image = "busybox", InstanceType = InstanceType, Name = $"idle-{run}-{batch / 50}", Count = Math.Min(50, count - batch) });
            ids.AddRange(created.Select(i => i.Id));
        }

        foreach (var id in ids)
        {
            await instances.WaitForPhaseAsync(id, InstancesClient.RunningPhase, timeout);
        }

        // Settle: the controllers' first polls, JIT, the loggers' first pages.
        await Task.Delay(TimeSpan.FromSeconds(10));
        var rssAfter = Kib($"/proc/{serverPid}/status", "VmRSS:");
        var availableAfter = Kib("/proc/meminfo", "MemAvailable:");
        long cgroups = 0;
        foreach (var id in ids)
        {
            var v1 = $"/sys/fs/cgroup/memory/nimbus/{id}/memory.usage_in_bytes";
            var v2 = $"/sys/fs/cgroup/nimbus/{id}/memory.current";
            var file = File.Exists(v1) ? v1 : v2;
            cgroups += long.Parse(File.ReadAllText(file).Trim(), CultureInfo.InvariantCulture) / 1024;
        }

        // The console loggers (nimbus-init --spawn) live outside the instances' cgroups: their proportional share.
        long loggers = 0, loggerCount = 0;
        foreach (var proc in Directory.EnumerateDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)))
        {
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(proc, "cmdline"));
                if (cmdline.Contains("nimbus-init\0--spawn", StringComparison.Ordinal) && ids.Any(id => cmdline.Contains(id, StringComparison.Ordinal)))
                {
                    loggers += Kib(Path.Combine(proc, "smaps_rollup"), "Pss:");
                    loggerCount++;
                }
            }
            catch (IOException)
            {
            }
        }

        double PerInstanceMib(long kib) => kib / 1024.0 / count;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"idle-{count} nimbus_rss_growth_mib_each={PerInstanceMib(rssAfter - rssBefore):0.00} console_logger_pss_mib_each={PerInstanceMib(loggers):0.00} (loggers={loggerCount}) instance_cgroup_mib_each={PerInstanceMib(cgroups):0.00} host_memavailable_drop_mib_each={PerInstanceMib(availableBefore - availableAfter):0.00} nimbus_rss_mib={rssAfter / 1024.0:0} "));

        await Task.WhenAll(ids.Select(id => Task.Run(async () =>
        {
            var changed = await instances.TerminateAsync(id);
            await instances.WaitForPhaseAsync(id, InstancesClient.TerminatedPhase, timeout, changed.Version);
        })));
        return 0;
    }

    default:
        Console.Error.WriteLine("usage: ComputeLoad setup|raw|create|idle ...");
        return 2;
}

// CPU time in ms of a process (with `self`) or of its reaped children (runc, ip, nft, mount: what a start spawns) from
// /proc/PID/stat (utime, stime, cutime, cstime; 100 ticks a second).
static double CpuMs(string pid, bool self)
{
    var stat = File.ReadAllText($"/proc/{pid}/stat");
    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    double Field(int number) => double.Parse(fields[number - 3], CultureInfo.InvariantCulture) * 10;
    return (self ? Field(14) + Field(15) : 0) + Field(16) + Field(17);
}

static long Kib(string file, string key)
{
    foreach (var line in File.ReadLines(file))
    {
        if (line.StartsWith(key, StringComparison.Ordinal))
        {
            return long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
    }

    throw new InvalidOperationException($"{key} not in {file}");
}
