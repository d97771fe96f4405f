using System.Collections.Immutable;
using Nimbus.Contracts.Storage;

namespace Nimbus.Storage.Buckets;

/// <summary>A bucket as the S3 door needs it on every request (cached; the resource store is the truth).</summary>
public sealed record BucketEntry
{
    /// <summary>Resource id (<c>bkt-...</c>); the object index is keyed by it, so a re-created name starts empty.</summary>
    public required string Id { get; init; }

    public required string Name { get; init; }

    /// <summary>Owning account.</summary>
    public required string Account { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required BucketSpec Spec { get; init; }

    public ImmutableSortedDictionary<string, string> Tags { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    public long Version { get; init; }

    /// <summary>How the bucket keeps versions now.</summary>
    internal Engine.VersioningState Versioning => Spec.Versioning switch
    {
        "Enabled" => Engine.VersioningState.Enabled,
        "Suspended" => Engine.VersioningState.Suspended,
        _ => Engine.VersioningState.Unversioned,
    };

    /// <summary>The S3-style resource name policies use: <c>nrn:nimbus:s3:::name</c>.</summary>
    public string Arn => BucketService.ArnPrefix + Name;
}
