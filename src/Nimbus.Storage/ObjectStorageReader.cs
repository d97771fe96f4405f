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
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(destination);
        var keyBytes = Encoding.UTF8.GetBytes(key);
        if (keyBytes.Length is 0 or > S3Request.MaxKeyBytes)
        {
            throw S3Errors.KeyTooLong();
        }

        var entry = await buckets.FindAsync(bucket, cancellationToken).ConfigureAwait(false) ?? throw S3Errors.NoSuchBucket(bucket);
        Dictionary<string, IReadOnlyList<string>>? keys = versionId is null ? null : new(StringComparer.OrdinalIgnoreCase) { ["s3:versionid"] = [versionId] };
        await authorizer.AuthorizeAsync(caller, versionId is null ? "s3:GetObject" : "s3:GetObjectVersion", entry.Arn + "/" + key, entry, keys, cancellationToken).ConfigureAwait(false);
        for (var attempt = 0; ; attempt++)
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

            var startedAt = destination.CanSeek ? destination.Position : -1;
            try
            {
                await ObjectReader.CopyAsync(engine.Layout, record.Segments, 0, record.Size, destination, cancellationToken).ConfigureAwait(false);
                await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
                return new StoredObjectInfo(record.Size, record.VersionId, record.ETag);
            }
            catch (DataMissingException) when (attempt == 0 && startedAt >= 0)
            {
                // Replaced or deleted between the lookup and the read (as a GET does): start over and look again.
                destination.SetLength(startedAt);
                destination.Position = startedAt;
            }
            catch (Exception ex) when (ex is CorruptDataException or DataMissingException)
            {
                if (engine.Get(entry.Id, keyBytes, record.VersionId)?.ETag == record.ETag)
                {
                    await engine.MarkCorruptAsync(entry.Id, keyBytes, record.VersionId).ConfigureAwait(false);
                }

                throw S3Errors.ObjectCorrupt();
            }
        }
    }
}
