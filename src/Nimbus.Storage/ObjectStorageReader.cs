using System.Text;
using Nimbus.Contracts.Errors;
using Nimbus.Core.Api;
using Nimbus.Core.Errors;
using Nimbus.Core.Storage;
using Nimbus.Storage.Buckets;
using Nimbus.Storage.Engine;
using Nimbus.Storage.S3;

namespace Nimbus.Storage;

/// <summary>
/// Object reads for other services, in process: authorized as an S3 GET of the same caller would be
/// (<see cref="S3Authorizer"/>: identity policies, bucket owner and policy), read through the engine's verified
/// block path (<see cref="ObjectReader.CopyAsync"/>), one block at a time.
/// </summary>
internal sealed class ObjectStorageReader(ObjectEngine engine, BucketService buckets, S3Authorizer authorizer) : IObjectStorageReader
{
    public async Task<StoredObjectInfo> CopyToAsync(CallerContext caller, string bucket, string key, string? versionId, Stream destination, long maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var (entry, keyBytes) = await AuthorizeAsync(caller, bucket, key, versionId, cancellationToken).ConfigureAwait(false);
        for (var attempt = 0; ; attempt++)
        {
            var record = Lookup(entry, keyBytes, bucket, key, versionId, maxBytes);
            var startedAt = destination.CanSeek ? destination.Position : -1;
            try
            {
                return await CopyAsync(entry, keyBytes, record, destination, cancellationToken).ConfigureAwait(false);
            }
            catch (DataMissingException) when (attempt == 0 && startedAt >= 0)
            {
                // Replaced or deleted between the lookup and the read (as a GET does): start over and look again.
                destination.SetLength(startedAt);
                destination.Position = startedAt;
            }
            catch (DataMissingException)
            {
                throw S3Errors.ObjectCorrupt();
            }
        }
    }

    public async Task<StoredObjectInfo> AuthorizeReadAsync(CallerContext caller, string bucket, string key, string? versionId, long maxBytes, CancellationToken cancellationToken)
    {
        var (entry, keyBytes) = await AuthorizeAsync(caller, bucket, key, versionId, cancellationToken).ConfigureAwait(false);
        var record = Lookup(entry, keyBytes, bucket, key, versionId, maxBytes);
        return new StoredObjectInfo(record.Size, record.VersionId, record.ETag);
    }

    public async Task<StoredObjectInfo> CopyVersionToAsync(string bucket, string key, string versionId, string etag, Stream destination, long maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentException.ThrowIfNullOrEmpty(versionId);
        var keyBytes = Encoding.UTF8.GetBytes(key);
        var entry = await buckets.FindAsync(bucket, cancellationToken).ConfigureAwait(false) ?? throw S3Errors.NoSuchBucket(bucket);
        var record = Lookup(entry, keyBytes, bucket, key, versionId, maxBytes);
        if (record.ETag != etag)
        {
            throw new NimbusException(
                "PreconditionFailed", 412, $"The object s3://{bucket}/{key} (version {versionId}) changed since it was checked: its ETag is {record.ETag}, not {etag}.");
        }

        try
        {
            return await CopyAsync(entry, keyBytes, record, destination, cancellationToken).ConfigureAwait(false);
        }
        catch (DataMissingException)
        {
            // The version was deleted or overwritten during the copy.
            throw new NimbusException("PreconditionFailed", 412, $"The object s3://{bucket}/{key} (version {versionId}) was replaced or deleted while it was read.");
        }
    }

    private async Task<(BucketEntry Entry, byte[] Key)> AuthorizeAsync(CallerContext caller, string bucket, string key, string? versionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var keyBytes = Encoding.UTF8.GetBytes(key);
        if (keyBytes.Length is 0 or > S3Request.MaxKeyBytes)
        {
            throw S3Errors.KeyTooLong();
        }

        var entry = await buckets.FindAsync(bucket, cancellationToken).ConfigureAwait(false) ?? throw S3Errors.NoSuchBucket(bucket);
        Dictionary<string, IReadOnlyList<string>>? keys = versionId is null ? null : new(StringComparer.OrdinalIgnoreCase) { ["s3:versionid"] = [versionId] };
        await authorizer.AuthorizeAsync(caller, versionId is null ? "s3:GetObject" : "s3:GetObjectVersion", entry.Arn + "/" + key, entry, keys, cancellationToken).ConfigureAwait(false);
        return (entry, keyBytes);
    }

    private ObjectRecord Lookup(BucketEntry entry, byte[] keyBytes, string bucket, string key, string? versionId, long maxBytes)
    {
        var record = engine.Get(entry.Id, keyBytes, versionId) ?? throw (versionId is null ? S3Errors.NoSuchKey() : S3Errors.NoSuchVersion());
        if (record.IsDeleteMarker)
        {
            throw S3Errors.DeleteMarker(record.VersionId, versionId is not null);
        }

        if (record.Corrupt)
        {
            throw S3Errors.ObjectCorrupt();
        }

        if (record.Size > maxBytes)
        {
            throw new NimbusException(ErrorCodes.RequestTooLarge, 413, $"The object s3://{bucket}/{key} has {record.Size} bytes, more than the limit of {maxBytes} bytes.");
        }

        return record;
    }

    private async Task<StoredObjectInfo> CopyAsync(BucketEntry entry, byte[] keyBytes, ObjectRecord record, Stream destination, CancellationToken cancellationToken)
    {
        try
        {
            await ObjectReader.CopyAsync(engine.Layout, record.Segments, 0, record.Size, destination, cancellationToken).ConfigureAwait(false);
            await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
            return new StoredObjectInfo(record.Size, record.VersionId, record.ETag);
        }
        catch (CorruptDataException)
        {
            await MarkCorruptAsync(entry, keyBytes, record).ConfigureAwait(false);
            throw S3Errors.ObjectCorrupt();
        }
        catch (DataMissingException) when (engine.Get(entry.Id, keyBytes, record.VersionId)?.ETag == record.ETag)
        {
            // Still the same version, yet its data is missing: corrupt, not replaced.
            await MarkCorruptAsync(entry, keyBytes, record).ConfigureAwait(false);
            throw S3Errors.ObjectCorrupt();
        }
    }

    private async Task MarkCorruptAsync(BucketEntry entry, byte[] keyBytes, ObjectRecord record)
    {
        if (engine.Get(entry.Id, keyBytes, record.VersionId)?.ETag == record.ETag)
        {
            await engine.MarkCorruptAsync(entry.Id, keyBytes, record.VersionId).ConfigureAwait(false);
        }
    }
}
