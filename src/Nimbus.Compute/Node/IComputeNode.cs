namespace Nimbus.Compute.Node;

/// <summary>
/// The node interface of the compute service: everything the controllers need from the machine that runs instances.
/// On one machine it is in-process (<c>Nimbus.Agent</c>'s runc node); with several machines the same calls go to
/// <c>nimbus agent</c> on each node. Every call is idempotent: a controller may repeat it after a crash.
/// </summary>
public interface IComputeNode
{
    /// <summary>Name and size of the node, for the scheduler.</summary>
    NodeInfo Info { get; }

    /// <summary>Builds the root filesystem of a built-in image (e.g. <c>busybox</c>) unless it is there; all or nothing.</summary>
    Task<ImageFacts> BuildBuiltInImageAsync(string imageId, string builtInName, CancellationToken cancellationToken);

    /// <summary>
    /// Makes an image's root filesystem from an uploaded archive (rootfs tarball, or OCI image archive whose layers are
    /// applied in order with whiteouts), all or nothing: on failure no image directory is left.
    /// </summary>
    Task<ImageFacts> ImportImageAsync(string imageId, string archivePath, ImageProgress progress, CancellationToken cancellationToken);

    /// <summary>Builds an image's root filesystem from a recipe (<c>debian-12</c>: debootstrap), all or nothing.</summary>
    Task<ImageFacts> BuildImageAsync(string imageId, string recipe, ImageProgress progress, CancellationToken cancellationToken);

    /// <summary>
    /// Makes an image of a stopped instance: its base image with the instance's disk (overlay upper dir, whiteouts
    /// honored) on top, flattened into a new root filesystem. Fails while the instance runs.
    /// </summary>
    Task<ImageFacts> CaptureInstanceImageAsync(string imageId, string instanceId, string baseImageId, ImageProgress progress, CancellationToken cancellationToken);

    /// <summary>True when the image's root filesystem is on this node.</summary>
    bool HasImage(string imageId);

    /// <summary>Removes an image's root filesystem.</summary>
    Task RemoveImageAsync(string imageId, CancellationToken cancellationToken);

    /// <summary>What the node knows of an instance now.</summary>
    Task<InstanceObservation> InspectAsync(string instanceId, CancellationToken cancellationToken);

    /// <summary>Mounts the instance's disk and starts its container; returns once its init runs.</summary>
    Task<InstanceObservation> StartAsync(InstanceLaunch launch, CancellationToken cancellationToken);

    /// <summary>Sends SIGTERM (the init forwards it to every process) or, with <paramref name="kill"/>, SIGKILL to the instance.</summary>
    Task SignalAsync(string instanceId, bool kill, CancellationToken cancellationToken);

    /// <summary>
    /// After the container stopped: reads how it ended, removes the container (runc state, cgroups) and unmounts its
    /// disk, keeping the disk's content. Nothing to do when there is no container.
    /// </summary>
    Task<InstanceExit> CleanupAsync(string instanceId, CancellationToken cancellationToken);

    /// <summary>Removes everything of the instance from the node: container, mounts, disk, console log.</summary>
    Task DestroyAsync(string instanceId, CancellationToken cancellationToken);

    /// <summary>Counters of a running instance from its cgroups and network namespace; null when it does not run.</summary>
    Task<Nimbus.Contracts.Compute.InstanceStatsDto?> StatsAsync(string instanceId, CancellationToken cancellationToken);

    /// <summary>Everything of compute on this node: containers, mounts, cgroups and directories, by the instance or image they belong to.</summary>
    Task<NodeInventory> InventoryAsync(IEnumerable<string> alsoCheckCgroupsOf, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="maxBytes"/> of the console log from <paramref name="offset"/>.</summary>
    Task<ConsoleChunk> ReadConsoleAsync(string instanceId, long offset, int maxBytes, CancellationToken cancellationToken);
}
