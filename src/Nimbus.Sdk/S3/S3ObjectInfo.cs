namespace Nimbus.Sdk.S3;

/// <summary>An object's metadata, from the headers of a HEAD or GET answer.</summary>
public sealed record S3ObjectInfo
{
    /// <summary>Bytes in the answer's body (the whole object, or the range asked for).</summary>
    public long ContentLength { get; init; }

    /// <summary>Entity tag, quoted.</summary>
    public string? ETag { get; init; }

    /// <summary><c>Content-Type</c>; null when the server sent none.</summary>
    public string? ContentType { get; init; }

    /// <summary>When the object was last written; null when the server sent no <c>Last-Modified</c>.</summary>
    public DateTimeOffset? LastModified { get; init; }

    /// <summary>Version id (<c>x-amz-version-id</c>); null for unversioned objects.</summary>
    public string? VersionId { get; init; }

    /// <summary>User metadata, <c>x-amz-meta-*</c> headers without their prefix, names lower-case.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>Checksums the server returned (<c>x-amz-checksum-*</c>), by lower-case algorithm name, base64.</summary>
    public IReadOnlyDictionary<string, string> Checksums { get; init; } = new Dictionary<string, string>();

    /// <summary><c>x-amz-checksum-type</c>: <c>FULL_OBJECT</c> or <c>COMPOSITE</c> (a checksum of part checksums); null when not sent.</summary>
    public string? ChecksumType { get; init; }

    /// <summary>True when <see cref="ETag"/> is the MD5 of the whole object (a single PUT), not a multipart ETag.</summary>
    public bool ETagIsMd5 => ETag is { } etag && etag.Trim('"').Length == 32 && !etag.Contains('-', StringComparison.Ordinal);
}
