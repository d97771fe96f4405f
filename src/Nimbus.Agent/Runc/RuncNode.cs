using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Nimbus.Agent.Images;
using Nimbus.Agent.Linux;
using Nimbus.Compute;
using Nimbus.Compute.Images;
using Nimbus.Compute.Node;

namespace Nimbus.Agent.Runc;

/// <summary>
/// The node side of compute on this machine: instances are OCI containers run by Debian's <c>runc</c>.
/// <code>
/// &lt;compute-dir&gt;/images/&lt;img-id&gt;/rootfs             an image's root filesystem (the overlay's lower layer)
/// &lt;compute-dir&gt;/instances/&lt;i-id&gt;/disk/{upper,work}  the instance's own changes: its persistent disk
/// &lt;compute-dir&gt;/instances/&lt;i-id&gt;/rootfs          the overlay mount runc starts the container in
/// &lt;compute-dir&gt;/instances/&lt;i-id&gt;/meta            /.nimbus inside: the init, the user data, the exit status
/// &lt;compute-dir&gt;/instances/&lt;i-id&gt;/console.log     stdout and stderr of everything in the instance
/// </code>
/// Containers run detached (<c>runc run --detach</c>): they do not depend on this process, which only looks at them,
/// so Nimbus can restart while instances keep running.
/// </summary>
public sealed partial class RuncNode : IComputeNode
{
    private readonly ComputeOptions _options;
    private readonly string _initPath;
    private readonly Cgroups _cgroups;
    private readonly ILogger<RuncNode> _logger;
    private readonly ConcurrentDictionary<string, (int Pid, ulong StartTime)> _running = new(StringComparer.Ordinal);
    private readonly Lazy<NodeInfo> _info;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _diskLocks = new(StringComparer.Ordinal);

    public RuncNode(ComputeOptions options, ILogger<RuncNode> logger, string? initPath = null)
    {
        _options = options;
        _logger = logger;
        _initPath = initPath ?? Path.Combine(AppContext.BaseDirectory, "nimbus-init");
        _cgroups = Cgroups.Default(options.CgroupParent);
        _info = new Lazy<NodeInfo>(() => new NodeInfo("local", Environment.ProcessorCount, HostInfo.MemoryMiB()));
    }

    public NodeInfo Info => _info.Value;

    private string ImagesDirectory => Path.Combine(_options.Directory, "images");

    private string InstancesDirectory => Path.Combine(_options.Directory, "instances");

    public async Task<ImageFacts> BuildBuiltInImageAsync(string imageId, string builtInName, CancellationToken cancellationToken)
    {
        if (builtInName != "busybox")
        {
            throw new NodeException($"there is no built-in image '{builtInName}'");
        }

        var directory = ImageDirectory(imageId);
        if (!HasImage(imageId))
        {
            // Built beside, renamed into place: a crash or a failure never leaves half an image where instances look.
            var building = directory + ".building-" + Guid.NewGuid().ToString("N")[..8];
            try
            {
                await BusyboxImageBuilder.BuildAsync(Path.Combine(building, "rootfs"), cancellationToken).ConfigureAwait(false);
                Directory.Move(building, directory);
            }
            finally
            {
                if (Directory.Exists(building))
                {
                    Directory.Delete(building, recursive: true);
                }
            }
        }

        return Measure(Path.Combine(directory, "rootfs"));
    }

    public Task<ImageFacts> ImportImageAsync(string imageId, string archivePath, ImageProgress progress, CancellationToken cancellationToken) =>
        StageImageAsync(
            imageId,
            async staging =>
            {
                var result = await ArchiveImporter.ImportAsync(archivePath, staging, ImageService.NodeArchitecture(), NewLimits, progress, cancellationToken).ConfigureAwait(false);
                return new ImageFacts(0, 0) { Config = result.Config, Format = result.Format, SkippedEntries = result.Skipped, Warnings = result.Warnings };
            },
            cancellationToken);

    public Task<ImageFacts> BuildImageAsync(string imageId, string recipe, ImageProgress progress, CancellationToken cancellationToken) =>
        StageImageAsync(
            imageId,
            async staging => new ImageFacts(0, 0)
            {
                Config = await DebootstrapBuilder.BuildAsync(Path.Combine(staging, "rootfs"), recipe, _options.DebianMirror, progress, cancellationToken).ConfigureAwait(false),
            },
            cancellationToken);

    public async Task<ImageFacts> CaptureInstanceImageAsync(string imageId, string instanceId, string baseImageId, ImageProgress progress, CancellationToken cancellationToken)
    {
        // Held against a start or a terminate of the instance while its disk is read.
        var disk = DiskLock(instanceId);
        await disk.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await StageImageAsync(imageId, staging => CaptureAsync(staging, instanceId, baseImageId, progress, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            disk.Release();
        }
    }

    public bool HasImage(string imageId) => Directory.Exists(Path.Combine(ImageDirectory(imageId), "rootfs"));

    public Task RemoveImageAsync(string imageId, CancellationToken cancellationToken)
    {
        var directory = ImageDirectory(imageId);
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        return Task.CompletedTask;
    }

    public async Task<InstanceObservation> InspectAsync(string instanceId, CancellationToken cancellationToken)
    {
        // The common case costs two small file reads: the init we started (or adopted) is still the same process.
        if (_running.TryGetValue(instanceId, out var known) && HostInfo.StartTimeOf(known.Pid) == known.StartTime)
        {
            return new InstanceObservation(InstanceRuntimeState.Running, known.Pid, _cgroups.OomKills(instanceId));
        }

        _running.TryRemove(instanceId, out _);
        var state = await StateAsync(instanceId, cancellationToken).ConfigureAwait(false);
        if (state is null)
        {
            return new InstanceObservation(InstanceRuntimeState.Absent);
        }

        if (state.Value.Status is "running" or "created" or "paused" && HostInfo.StartTimeOf(state.Value.Pid) is { } start)
        {
            _running[instanceId] = (state.Value.Pid, start);
            return new InstanceObservation(InstanceRuntimeState.Running, state.Value.Pid, _cgroups.OomKills(instanceId));
        }

        return new InstanceObservation(InstanceRuntimeState.Stopped, null, _cgroups.OomKills(instanceId));
    }

    public async Task<InstanceObservation> StartAsync(InstanceLaunch launch, CancellationToken cancellationToken)
    {
        var disk = DiskLock(launch.InstanceId);
        await disk.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await StartCoreAsync(launch, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            disk.Release();
        }
    }

    private async Task<InstanceObservation> StartCoreAsync(InstanceLaunch launch, CancellationToken cancellationToken)
    {
        var runc = Runc();
        if (!File.Exists(_initPath))
        {
            throw new NodeException($"the instance init ({_initPath}) was not built: install gcc and libc6-dev (apt-get install gcc libc6-dev), then build Nimbus again");
        }

        var lower = Path.Combine(ImageDirectory(launch.ImageId), "rootfs");
        if (!Directory.Exists(lower))
        {
            throw new NodeException($"image {launch.ImageId} is not on this node");
        }

        var paths = PathsOf(launch.InstanceId);
        foreach (var directory in new[] { paths.Upper, paths.Work, paths.Rootfs, paths.Meta, paths.Bundle })
        {
            Directory.CreateDirectory(directory);
        }

        File.SetUnixFileMode(paths.Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        // A container left from an earlier boot (it ended, or Nimbus stopped midway) is removed first.
        if (await StateAsync(launch.InstanceId, cancellationToken).ConfigureAwait(false) is not null)
        {
            await RuncAsync(runc, ["delete", "--force", launch.InstanceId], cancellationToken).ConfigureAwait(false);
        }

        if (!Mounts.IsMountPoint(paths.Rootfs))
        {
            Mounts.MountOverlay(lower, paths.Upper, paths.Work, paths.Rootfs);
        }

        var init = Path.Combine(paths.Meta, "init");
        File.Copy(_initPath, init, overwrite: true);
        File.SetUnixFileMode(init, (UnixFileMode)0x1ED /* 0755 */);
        File.Delete(Path.Combine(paths.Meta, "exit-status"));
        var userData = Path.Combine(paths.Meta, "user-data");
        if (launch.UserData is not null)
        {
            await File.WriteAllBytesAsync(userData, BundleConfig.UserDataBytes(launch.UserData), cancellationToken).ConfigureAwait(false);
            File.SetUnixFileMode(userData, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        else
        {
            File.Delete(userData);
        }

        var cgroupsPath = _options.CgroupParent.TrimEnd('/') + "/" + launch.InstanceId;
        await File.WriteAllBytesAsync(Path.Combine(paths.Bundle, "config.json"), BundleConfig.Create(launch, paths.Rootfs, paths.Meta, cgroupsPath), cancellationToken).ConfigureAwait(false);
        File.Delete(paths.PidFile);
        File.Delete(paths.RuncLog);

        // The interface and its rules are set up meanwhile (the ruleset apply took ~10 ms before runc could start); the
        // instance's eth0 has no carrier until they are in place, and its init waits for it (WaitForCarrier).
        // runc --detach hands its stdio to the container: the spawn helper makes that stdio a pipe to its console
        // logger, which appends to the console log and rotates it at the cap.
        string[] arguments =
        [
            "--spawn", paths.Console, _options.ConsoleLogMaxBytes.ToString(CultureInfo.InvariantCulture), "--", runc, "--root", _options.RuncRoot, "--log", paths.RuncLog, "--log-format", "json",
            "run", "--detach", "--pid-file", paths.PidFile, "--bundle", paths.Bundle, launch.InstanceId,
        ];
        var result = await ProcessRunner.RunAsync(_initPath, arguments, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            var reason = RuncError(paths.RuncLog) ?? $"runc exited with code {result.ExitCode}";
            await CleanupAsync(launch.InstanceId, cancellationToken).ConfigureAwait(false);
            throw new NodeException(reason);
        }

        var pid = int.Parse((await File.ReadAllTextAsync(paths.PidFile, cancellationToken).ConfigureAwait(false)).Trim(), CultureInfo.InvariantCulture);
        if (HostInfo.StartTimeOf(pid) is { } start)
        {
            _running[launch.InstanceId] = (pid, start);
        }

        return new InstanceObservation(InstanceRuntimeState.Running, pid);
    }

    public async Task SignalAsync(string instanceId, bool kill, CancellationToken cancellationToken)
    {
        // A container that is already gone or stopped makes runc fail; that is the goal of a stop anyway.
        var result = await ProcessRunner.RunAsync(Runc(), ["--root", _options.RuncRoot, "kill", instanceId, kill ? "KILL" : "TERM"], cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            LogSignalFailed(instanceId, result.Stderr.Trim());
        }
    }

    public async Task<InstanceExit> CleanupAsync(string instanceId, CancellationToken cancellationToken)
    {
        var paths = PathsOf(instanceId);
        var exit = InstanceExit.Unknown;
        if (await StateAsync(instanceId, cancellationToken).ConfigureAwait(false) is not null)
        {
            var oomKills = _cgroups.OomKills(instanceId);
            exit = ReadExit(Path.Combine(paths.Meta, "exit-status"), oomKills);
            await RuncAsync(Runc(), ["delete", "--force", instanceId], cancellationToken).ConfigureAwait(false);
        }

        _running.TryRemove(instanceId, out _);
        Mounts.Unmount(paths.Rootfs);
        _cgroups.Remove(instanceId);
        return exit;
    }

    public async Task DestroyAsync(string instanceId, CancellationToken cancellationToken)
    {
        var disk = DiskLock(instanceId);
        await disk.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await CleanupAsync(instanceId, cancellationToken).ConfigureAwait(false);
            var root = PathsOf(instanceId).Root;
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
        finally
        {
            disk.Release();
        }
    }

    public async Task<Contracts.Compute.InstanceStatsDto?> StatsAsync(string instanceId, CancellationToken cancellationToken)
    {
        var observed = await InspectAsync(instanceId, cancellationToken).ConfigureAwait(false);
        return observed is { State: InstanceRuntimeState.Running, Pid: { } pid } ? CgroupStats.Read(_cgroups, instanceId, pid, DateTimeOffset.UtcNow) : null;
    }

    public async Task<NodeInventory> InventoryAsync(IEnumerable<string> alsoCheckCgroupsOf, CancellationToken cancellationToken)
    {
        var items = new List<NodeItem>();
        var ids = new HashSet<string>(alsoCheckCgroupsOf, StringComparer.Ordinal);

        // Containers of this node only: the runc root may be shared, the bundles under our directory are ours.
        if (Directory.Exists(_options.RuncRoot) && ProcessRunner.Find("runc") is { } runc)
        {
            var list = await ProcessRunner.RunAsync(runc, ["--root", _options.RuncRoot, "list", "--format", "json"], cancellationToken).ConfigureAwait(false);
            if (list.ExitCode == 0 && list.Stdout.Trim() is { Length: > 0 } json && json != "null")
            {
                using var document = JsonDocument.Parse(json);
                foreach (var container in document.RootElement.EnumerateArray())
                {
                    var id = container.GetProperty("id").GetString() ?? "";
                    var bundle = container.GetProperty("bundle").GetString() ?? "";
                    if (bundle.StartsWith(InstancesDirectory + "/", StringComparison.Ordinal))
                    {
                        items.Add(new NodeItem("container", id, id));
                        ids.Add(id);
                    }
                }
            }
        }

        if (Directory.Exists(InstancesDirectory))
        {
            foreach (var directory in Directory.EnumerateDirectories(InstancesDirectory))
            {
                var id = Path.GetFileName(directory);
                items.Add(new NodeItem("instance-directory", id, directory));
                ids.Add(id);
            }
        }

        foreach (var mount in Mounts.MountPoints().Where(m => m.StartsWith(InstancesDirectory + "/", StringComparison.Ordinal)))
        {
            var id = mount[(InstancesDirectory.Length + 1)..].Split('/')[0];
            items.Add(new NodeItem("mount", id, mount));
        }

        foreach (var id in ids)
        {
            foreach (var path in _cgroups.AllPathsOf(id))
            {
                items.Add(new NodeItem("cgroup", id, path));
            }
        }

        if (Directory.Exists(ImagesDirectory))
        {
            foreach (var directory in Directory.EnumerateDirectories(ImagesDirectory))
            {
                items.Add(new NodeItem("image-directory", Path.GetFileName(directory), directory));
            }
        }

        return new NodeInventory(items);
    }

    /// <summary>Paths of an instance's files on this node.</summary>
    internal InstancePaths PathsOf(string instanceId)
    {
        var root = Path.Combine(InstancesDirectory, instanceId);
        return new InstancePaths(root);
    }

    private string ImageDirectory(string imageId) => Path.Combine(ImagesDirectory, imageId);

    private static string Runc() =>
        ProcessRunner.Find("runc") ?? throw new NodeException("runc is not installed: apt-get install runc");

    private async Task<(string Status, int Pid)?> StateAsync(string instanceId, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(Path.Combine(_options.RuncRoot, instanceId)))
        {
            return null;
        }

        var result = await ProcessRunner.RunAsync(Runc(), ["--root", _options.RuncRoot, "state", instanceId], cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            if (result.Stderr.Contains("does not exist", StringComparison.Ordinal))
            {
                return null;
            }

            throw new IOException($"runc state {instanceId} failed: {result.Stderr.Trim()}");
        }

        using var document = JsonDocument.Parse(result.Stdout);
        return (document.RootElement.GetProperty("status").GetString() ?? "", document.RootElement.GetProperty("pid").GetInt32());
    }

    private async Task RuncAsync(string runc, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var result = await ProcessRunner.RunAsync(runc, ["--root", _options.RuncRoot, .. arguments], cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0 && !result.Stderr.Contains("does not exist", StringComparison.Ordinal))
        {
            throw new IOException($"runc {string.Join(' ', arguments)} failed: {result.Stderr.Trim()}");
        }
    }

    /// <summary>The last error runc logged (JSON lines), which says why a container did not start.</summary>
    private static string? RuncError(string logPath)
    {
        if (!File.Exists(logPath))
        {
            return null;
        }

        string? last = null;
        foreach (var line in File.ReadLines(logPath))
        {
            try
            {
                using var entry = JsonDocument.Parse(line);
                if (entry.RootElement.TryGetProperty("level", out var level) && level.GetString() is "error" or "fatal" && entry.RootElement.TryGetProperty("msg", out var message))
                {
                    last = message.GetString();
                }
            }
            catch (JsonException)
            {
                last = line;
            }
        }

        return last;
    }

    private static InstanceExit ReadExit(string statusPath, long oomKills)
    {
        string? text = null;
        try
        {
            text = File.ReadAllText(statusPath).Trim();
        }
        catch (IOException)
        {
        }

        var parts = text?.Split(' ') ?? [];
        if (parts.Length == 2 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return parts[0] == "signal"
                ? new InstanceExit(null, value, value == 9 && oomKills > 0, oomKills)
                : new InstanceExit(value, null, false, oomKills);
        }

        // No status: the init itself was killed (SIGKILL from a stop, or the OOM killer).
        return new InstanceExit(null, 9, oomKills > 0, oomKills);
    }

    private static ImageFacts Measure(string rootfs)
    {
        long bytes = 0, entries = 0;
        foreach (var entry in new DirectoryInfo(rootfs).EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            entries++;
            if (entry is FileInfo file && file.LinkTarget is null)
            {
                bytes += file.Length;
            }
        }

        return new ImageFacts(bytes, entries);
    }

    [LoggerMessage(EventId = 5200, Level = LogLevel.Debug, Message = "Signal to instance {InstanceId} not delivered: {Reason}")]
    private partial void LogSignalFailed(string instanceId, string reason);

    internal sealed record InstancePaths(string Root)
    {
        public string Upper => Path.Combine(Root, "disk", "upper");

        public string Work => Path.Combine(Root, "disk", "work");

        public string Rootfs => Path.Combine(Root, "rootfs");

        public string Meta => Path.Combine(Root, "meta");

        public string Bundle => Path.Combine(Root, "bundle");

        public string Console => Path.Combine(Root, "console.log");

        public string ConsoleState => Path.Combine(Root, "console.log.state");

        public string RuncLog => Path.Combine(Root, "bundle", "runc.log");

        public string PidFile => Path.Combine(Root, "bundle", "init.pid");
    }
}
