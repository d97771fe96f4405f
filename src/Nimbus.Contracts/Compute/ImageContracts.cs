namespace Nimbus.Contracts.Compute;

/// <summary>The <c>spec</c> of an image resource (kind <c>compute/image</c>).</summary>
public sealed record ImageSpec
{
    /// <summary>What the image is, e.g. <c>BusyBox 1.35 userland (static)</c>; optional.</summary>
    public string? Description { get; init; }

    /// <summary>Operating system family: <c>linux</c>.</summary>
    public required string Os { get; init; }

    /// <summary>CPU architecture of its binaries, e.g. <c>amd64</c>.</summary>
    public required string Architecture { get; init; }

    /// <summary>Where the image came from: <c>builtin:busybox</c> for the built-in image.</summary>
    public required string Source { get; init; }

    /// <summary>Command (argv) an instance runs when nothing else is given; empty means the instance only runs its user data and idles.</summary>
    public IReadOnlyList<string> DefaultCommand { get; init; } = [];

    /// <summary>Environment (<c>NAME=value</c>) every instance of the image starts with.</summary>
    public IReadOnlyList<string> Environment { get; init; } = [];

    /// <summary>True when every account may run it (built-in images).</summary>
    public bool Public { get; init; }
}

/// <summary>The <c>status.details</c> of an image: facts known once it is <c>available</c>.</summary>
public sealed record ImageDetailsDto
{
    /// <summary>Bytes its root filesystem takes on disk.</summary>
    public long SizeBytes { get; init; }

    /// <summary>Files and directories in its root filesystem.</summary>
    public long Entries { get; init; }
}
