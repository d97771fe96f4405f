namespace Nimbus.Compute.Node;

/// <summary>A node's name and size.</summary>
public sealed record NodeInfo(string Name, int VCpus, long MemoryMiB);

/// <summary>Facts of an image root filesystem on a node.</summary>
public sealed record ImageFacts(long SizeBytes, long Entries)
{
    /// <summary>What the image itself defines for its instances (an OCI image's config); null when the source defines nothing.</summary>
    public ImageConfig? Config { get; init; }

    /// <summary>What an import found (<c>rootfs-tar</c>, <c>oci-archive+gzip</c>, ...); null for other sources.</summary>
    public string? Format { get; init; }

    /// <summary>Device nodes and other special files that were not created.</summary>
    public long SkippedEntries { get; init; }

    /// <summary>What an import left out without failing (extended attributes that could not be set); empty when nothing.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>The defaults an image carries for its instances (OCI image config: Entrypoint+Cmd, Env, WorkingDir).</summary>
public sealed record ImageConfig
{
    public IReadOnlyList<string> Command { get; init; } = [];

    public IReadOnlyList<string> Environment { get; init; } = [];

    public string? WorkingDirectory { get; init; }

    /// <summary>CPU architecture the image says it is for (<c>amd64</c>, <c>arm64</c>); null when it does not say.</summary>
    public string? Architecture { get; init; }
}

/// <summary>Reports the progress of a long image operation (shown as the image's <c>status.message</c>).</summary>
public delegate Task ImageProgress(string message, CancellationToken cancellationToken);

/// <summary>The state of an instance's container on the node.</summary>
public enum InstanceRuntimeState
{
    /// <summary>No container exists (never started, or cleaned up).</summary>
    Absent = 0,

    /// <summary>The init runs.</summary>
    Running = 1,

    /// <summary>The container exists but its init has ended (it stopped or died).</summary>
    Stopped = 2,
}

/// <summary>What a node observed of an instance.</summary>
public sealed record InstanceObservation(InstanceRuntimeState State, int? Pid = null, long OomKills = 0);

/// <summary>How an instance's workload ended, as far as the node can tell.</summary>
public sealed record InstanceExit(int? ExitCode, int? Signal, bool OomKilled, long OomKills)
{
    public static InstanceExit Unknown { get; } = new(null, null, false, 0);

    /// <summary>True for an exit with code 0.</summary>
    public bool Clean => ExitCode == 0 && !OomKilled;

    public string Describe() =>
        OomKilled ? "OOMKilled: the workload was killed for exceeding the memory limit"
        : ExitCode is { } code ? $"exited with code {code}"
        : Signal is { } signal ? $"killed by signal {signal}"
        : "ended without an exit status (killed)";
}

/// <summary>
/// The network an instance joins. Today every instance gets a fresh network namespace with loopback only; the
/// networking service will hand a prepared namespace (veth on the VPC's bridge) here.
/// </summary>
public sealed record InstanceNetwork
{
    /// <summary>Path of an existing network namespace to join (e.g. <c>/run/netns/...</c>); null for a fresh one with loopback only.</summary>
    public string? NamespacePath { get; init; }

    /// <summary>
    /// The instance's <c>eth0</c> gets its carrier only once its rules are in place (the host end of its veth joins the
    /// bridge after the ruleset apply, which runs while the container starts): the init holds the user data and the
    /// workload until then, so that they start with a working network (see docs/compute.md, "The start path").
    /// </summary>
    public bool WaitForCarrier { get; init; }
}

/// <summary>Everything a node needs to start an instance.</summary>
public sealed record InstanceLaunch
{
    public required string InstanceId { get; init; }

    public required string ImageId { get; init; }

    public required string Hostname { get; init; }

    /// <summary>The workload (argv); empty: the init only runs the user data and idles.</summary>
    public required IReadOnlyList<string> Command { get; init; }

    /// <summary><c>NAME=value</c> entries.</summary>
    public required IReadOnlyList<string> Environment { get; init; }

    /// <summary>The user data script to run at this boot; null when it must not run (not the first boot, or none).</summary>
    public string? UserData { get; init; }

    public required int VCpus { get; init; }

    public required int MemoryMiB { get; init; }

    public required int PidsLimit { get; init; }

    /// <summary>Working directory of the init and the workload inside the instance; null for <c>/</c>.</summary>
    public string? WorkingDirectory { get; init; }

    public InstanceNetwork Network { get; init; } = new();
}

/// <summary>A piece of an instance's console log.</summary>
public sealed record ConsoleChunk(long Offset, long NextOffset, long Size, byte[] Data);

/// <summary>A node failure the user can act on (a missing package, a broken image); its message says what to do.</summary>
public sealed class NodeException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>One thing compute has on a node: its kind (<c>container</c>, <c>mount</c>, <c>cgroup</c>, <c>instance-directory</c>, <c>image-directory</c>), owner id and location.</summary>
public sealed record NodeItem(string Kind, string Id, string Location);

/// <summary>What a node holds for compute.</summary>
public sealed record NodeInventory(IReadOnlyList<NodeItem> Items);
