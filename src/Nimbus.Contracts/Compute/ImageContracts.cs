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

    /// <summary>
    /// Where the image came from: <c>builtin:busybox</c>, <c>import</c> (an uploaded rootfs tarball or OCI image),
    /// <c>build:debian-12</c> (debootstrap), <c>instance:i-...</c> (a stopped instance's disk on its image).
    /// </summary>
    public required string Source { get; init; }

    /// <summary>For an image imported from object storage: the object it was read from; null otherwise.</summary>
    public ImageSourceObject? SourceObject { get; init; }

    /// <summary>For an image made from an instance: the image that instance ran from (its files are flattened in); null otherwise.</summary>
    public string? BaseImageId { get; init; }

    /// <summary>Command (argv) an instance runs when nothing else is given; empty means the instance only runs its user data and idles.</summary>
    public IReadOnlyList<string> DefaultCommand { get; init; } = [];

    /// <summary>Environment (<c>NAME=value</c>) every instance of the image starts with.</summary>
    public IReadOnlyList<string> Environment { get; init; } = [];

    /// <summary>Working directory of the default command inside the instance; null for <c>/</c>.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>True when every account may run it (built-in images).</summary>
    public bool Public { get; init; }

    /// <summary>Accounts (12-digit ids) the owner shared the image with: they may list, get and run it, never change or delete it.</summary>
    public IReadOnlyList<string> SharedWith { get; init; } = [];

    /// <summary>When the owner deprecated the image (UTC); null when it is not deprecated. Runs still work and answer a warning.</summary>
    public DateTimeOffset? DeprecatedAt { get; init; }

    /// <summary>The image the owner suggests instead of a deprecated one; optional.</summary>
    public string? Replacement { get; init; }
}

/// <summary>The <c>status.details</c> of an image: facts known once it is <c>available</c>.</summary>
public sealed record ImageDetailsDto
{
    /// <summary>Bytes its root filesystem takes on disk.</summary>
    public long SizeBytes { get; init; }

    /// <summary>Files and directories in its root filesystem.</summary>
    public long Entries { get; init; }

    /// <summary>
    /// The command (argv) instances run by default, as the image defines it: an OCI image's Entrypoint followed by
    /// its Cmd, or the spec's <c>defaultCommand</c>. Empty: instances idle and run their user data. Null on images
    /// made before this field existed (the spec's value applies).
    /// </summary>
    public IReadOnlyList<string>? DefaultCommand { get; init; }

    /// <summary><c>NAME=value</c> entries instances start with (an OCI image's Env, or the spec's); null as for <see cref="DefaultCommand"/>.</summary>
    public IReadOnlyList<string>? Environment { get; init; }

    /// <summary>Working directory of the default command (an OCI image's WorkingDir, or the spec's); null for <c>/</c>.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>What an import found: <c>rootfs-tar</c>, <c>rootfs-tar-gzip</c>, <c>rootfs-tar-zstd</c>, <c>oci-archive</c> (with <c>+gzip</c> or <c>+zstd</c> when compressed); null for other sources.</summary>
    public string? Format { get; init; }

    /// <summary>Device nodes and other special files of an import that were not created (instances get their own /dev).</summary>
    public long SkippedEntries { get; init; }

    /// <summary>
    /// What an import left out without failing, one sentence each, e.g. an extended attribute of a namespace that is not
    /// set (<c>system.*</c>) or that the node's file system refused; null or empty when nothing was left out.
    /// </summary>
    public IReadOnlyList<string>? Warnings { get; init; }
}

/// <summary>The object of Nimbus object storage an image was imported from (<c>ImageSpec.sourceObject</c>).</summary>
public sealed record ImageSourceObject
{
    public required string Bucket { get; init; }

    public required string Key { get; init; }

    /// <summary>The version that was read (<c>null</c>, as S3 spells it, in a bucket that never had versioning).</summary>
    public required string VersionId { get; init; }

    /// <summary>The object's entity tag when it was read.</summary>
    public required string ETag { get; init; }

    /// <summary>The object's size in bytes, when the import was asked for (absent on images imported before it was recorded).</summary>
    public long? SizeBytes { get; init; }
}

/// <summary>
/// Body of <c>POST /v1/compute/images/import-object</c>: an image imported from an object in Nimbus object storage
/// instead of an uploaded body. The caller needs <c>compute:ImportImage</c> and <c>s3:GetObject</c> on the object
/// (<c>s3:GetObjectVersion</c> with a version).
/// </summary>
public sealed record ImportImageFromObjectRequest
{
    /// <summary>Required. Image name, unique among the account's images.</summary>
    public string? Name { get; init; }

    /// <summary>Optional. Description.</summary>
    public string? Description { get; init; }

    /// <summary>Required. Bucket of the archive (a rootfs tar, tar.gz or OCI image archive).</summary>
    public string? Bucket { get; init; }

    /// <summary>Required. Key of the archive in the bucket.</summary>
    public string? Key { get; init; }

    /// <summary>Optional. A version of the object; default the current one.</summary>
    public string? VersionId { get; init; }
}

/// <summary>Body of <c>POST /v1/compute/images/build</c>: an image built on the node from a recipe.</summary>
public sealed record BuildImageRequest
{
    /// <summary>Required. The recipe: <c>debian-12</c> (Debian bookworm, minbase variant, by debootstrap).</summary>
    public string? Recipe { get; init; }

    /// <summary>Optional. Image name, unique among the account's images; default the recipe.</summary>
    public string? Name { get; init; }

    /// <summary>Optional. Description; default one naming the recipe.</summary>
    public string? Description { get; init; }
}

/// <summary>Body of <c>POST /v1/compute/images/from-instance</c>: a custom image of a stopped instance.</summary>
public sealed record CreateImageFromInstanceRequest
{
    /// <summary>Required. The instance, <c>stopped</c> or <c>failed</c> (<c>IncorrectInstanceState</c> while it runs).</summary>
    public string? InstanceId { get; init; }

    /// <summary>Required. Image name, unique among the account's images.</summary>
    public string? Name { get; init; }

    /// <summary>Optional. Description.</summary>
    public string? Description { get; init; }
}

/// <summary>Body of <c>POST /v1/compute/images/{id}/share</c> and <c>.../unshare</c>.</summary>
public sealed record ShareImageRequest
{
    /// <summary>Required. Account ids (12 digits) to share with or stop sharing with; 1 to 100.</summary>
    public IReadOnlyList<string>? Accounts { get; init; }
}

/// <summary>Body of <c>POST /v1/compute/images/{id}/deprecate</c>.</summary>
public sealed record DeprecateImageRequest
{
    /// <summary>Optional. An image id or name to suggest instead, shown in the warning of new runs.</summary>
    public string? Replacement { get; init; }
}
