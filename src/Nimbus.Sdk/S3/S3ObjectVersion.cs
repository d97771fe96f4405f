namespace Nimbus.Sdk.S3;

/// <summary>One version of a key, or a delete marker, as ListObjectVersions returns it.</summary>
public sealed record S3ObjectVersion
{
    /// <summary>The key.</summary>
    public required string Key { get; init; }

    /// <summary>The version id; <c>null</c> (the text) for the null version of a bucket never versioned or suspended.</summary>
    public required string VersionId { get; init; }

    /// <summary>True for a delete marker (no data).</summary>
    public bool IsDeleteMarker { get; init; }

    /// <summary>True for the key's current version.</summary>
    public bool IsLatest { get; init; }

    /// <summary>Size in bytes; 0 for a delete marker.</summary>
    public long Size { get; init; }
}
