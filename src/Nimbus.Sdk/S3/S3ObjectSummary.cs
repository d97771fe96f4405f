namespace Nimbus.Sdk.S3;

/// <summary>One object of a listing (<c>Contents</c> of ListObjectsV2).</summary>
public sealed record S3ObjectSummary
{
    /// <summary>The object key, exactly as stored.</summary>
    public required string Key { get; init; }

    /// <summary>Size in bytes.</summary>
    public long Size { get; init; }

    /// <summary>Entity tag, quoted as S3 sends it: the MD5 of a single PUT, <c>"md5-of-part-md5s-N"</c> of a multipart upload.</summary>
    public string? ETag { get; init; }

    /// <summary>When the object was last written.</summary>
    public DateTimeOffset LastModified { get; init; }

    /// <summary>Storage class, <c>STANDARD</c>.</summary>
    public string? StorageClass { get; init; }
}
