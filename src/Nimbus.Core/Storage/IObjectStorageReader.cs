using Nimbus.Core.Api;

namespace Nimbus.Core.Storage;

/// <summary>
/// Reads an object of Nimbus's own object storage in process on behalf of a caller, for services that take their
/// input from a bucket (an image imported from <c>s3://bucket/key</c>). The caller must be allowed
/// <c>s3:GetObject</c> (<c>s3:GetObjectVersion</c> with a version) on the object by the same IAM and bucket-policy
/// evaluation the S3 endpoint uses; the bytes come through storage's own read path, every block verified.
/// </summary>
public interface IObjectStorageReader
{
    /// <summary>
    /// Authorizes the read, then copies the object to <paramref name="destination"/> one block at a time (bounded
    /// memory). Throws <c>NimbusException</c> with S3's codes: <c>NoSuchBucket</c>, <c>NoSuchKey</c>,
    /// <c>NoSuchVersion</c> (404), <c>AccessDenied</c> (403), <c>RequestTooLarge</c> (413) when the object is larger
    /// than <paramref name="maxBytes"/> (nothing is copied), <c>InvalidObjectState</c> for an object whose stored data
    /// fails its integrity check.
    /// </summary>
    /// <param name="caller">Who asks; their identity policies and the bucket's policy decide.</param>
    /// <param name="bucket">Bucket name.</param>
    /// <param name="key">Object key.</param>
    /// <param name="versionId">Optional. A version of the object; null for the current one.</param>
    /// <param name="destination">Where the bytes go.</param>
    /// <param name="maxBytes">Largest object accepted.</param>
    /// <param name="cancellationToken">Cancels the copy.</param>
    /// <returns>What was copied.</returns>
    Task<StoredObjectInfo> CopyToAsync(CallerContext caller, string bucket, string key, string? versionId, Stream destination, long maxBytes, CancellationToken cancellationToken);

    /// <summary>
    /// Authorizes the read as <see cref="CopyToAsync(CallerContext, string, string, string?, Stream, long, CancellationToken)"/>
    /// does and looks the object up, copying nothing: for an operation that checks at its call and reads later in the
    /// background (an image import), with the version this answers pinned. Same errors.
    /// </summary>
    /// <returns>The object that a later <see cref="CopyVersionToAsync"/> reads.</returns>
    Task<StoredObjectInfo> AuthorizeReadAsync(CallerContext caller, string bucket, string key, string? versionId, long maxBytes, CancellationToken cancellationToken);

    /// <summary>
    /// Copies one version of an object whose read <see cref="AuthorizeReadAsync"/> allowed earlier (no caller now: the
    /// work runs in the background). Refuses with <c>PreconditionFailed</c> (412) when the version no longer has
    /// <paramref name="etag"/> (an object of an unversioned bucket overwritten meanwhile), and with the errors of
    /// <see cref="CopyToAsync(CallerContext, string, string, string?, Stream, long, CancellationToken)"/> for a version gone.
    /// </summary>
    Task<StoredObjectInfo> CopyVersionToAsync(string bucket, string key, string versionId, string etag, Stream destination, long maxBytes, CancellationToken cancellationToken);
}

/// <summary>The object an <see cref="IObjectStorageReader"/> copied.</summary>
/// <param name="Size">Bytes.</param>
/// <param name="VersionId">Its version id (<c>null</c> as S3 spells it for objects of unversioned buckets).</param>
/// <param name="ETag">Its entity tag, quoted.</param>
public sealed record StoredObjectInfo(long Size, string VersionId, string ETag);
