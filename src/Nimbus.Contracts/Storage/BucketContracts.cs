namespace Nimbus.Contracts.Storage;

/// <summary>Body of <c>POST /v1/storage/buckets</c>.</summary>
public sealed record CreateBucketRequest
{
    /// <summary>Required. Bucket name, unique across the platform: 3 to 63 lower-case letters, digits, dots and hyphens (S3 rules).</summary>
    public required string Name { get; init; }

    /// <summary>Optional. Tags of the bucket (also its S3 bucket tagging); default none.</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
}

/// <summary>The <c>spec</c> of a bucket resource (kind <c>storage/bucket</c>).</summary>
public sealed record BucketSpec
{
    /// <summary>Region the bucket lives in (S3 location constraint); the installation's region, <c>local</c> by default.</summary>
    public required string Region { get; init; }

    /// <summary>Versioning state: null (never enabled), <c>Enabled</c> or <c>Suspended</c>.</summary>
    public string? Versioning { get; init; }

    /// <summary>The bucket policy (JSON text), or null when none is set.</summary>
    public string? Policy { get; init; }

    /// <summary>The CORS configuration as S3 XML, or null when none is set.</summary>
    public string? Cors { get; init; }

    /// <summary>The lifecycle configuration as S3 XML, or null when none is set.</summary>
    public string? Lifecycle { get; init; }
}

/// <summary>The <c>status.details</c> of a bucket resource: what it holds now.</summary>
public sealed record BucketUsageDto
{
    /// <summary>Objects stored.</summary>
    public long Objects { get; init; }

    /// <summary>Bytes stored, objects and uploaded parts of unfinished multipart uploads.</summary>
    public long Bytes { get; init; }
}
