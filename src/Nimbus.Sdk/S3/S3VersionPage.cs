namespace Nimbus.Sdk.S3;

/// <summary>One page of ListObjectVersions.</summary>
public sealed record S3VersionPage
{
    /// <summary>Versions and delete markers, by key, newest first within a key.</summary>
    public required IReadOnlyList<S3ObjectVersion> Versions { get; init; }

    /// <summary>Key marker of the next page; null on the last page.</summary>
    public string? NextKeyMarker { get; init; }

    /// <summary>Version id marker of the next page; null on the last page or when the next page starts at a new key.</summary>
    public string? NextVersionIdMarker { get; init; }
}
