using Nimbus.Sdk;
using Nimbus.Sdk.S3;

namespace Nimbus.Cli.Commands;

/// <summary>
/// Empties a bucket for <c>nimbus storage bucket delete --force</c>: what keeps a bucket from being deleted is
/// any version or delete marker (not only current objects) and any multipart upload in progress, so all of them go.
/// </summary>
internal static class BucketPurge
{
    /// <summary>Aborts every multipart upload, then deletes every version and delete marker, 1000 per request.</summary>
    /// <returns>How many versions and delete markers were deleted, how many of them were delete markers, and how many uploads were aborted.</returns>
    public static async Task<(long Versions, long Markers, long Uploads)> PurgeAsync(S3Client s3, string bucket, CancellationToken cancellationToken)
    {
        long uploads = 0;
        string? keyMarker = null;
        string? uploadMarker = null;
        do
        {
            var page = await s3.ListMultipartUploadsAsync(bucket, keyMarker, uploadMarker, cancellationToken).ConfigureAwait(false);
            foreach (var upload in page.Uploads)
            {
                try
                {
                    await s3.AbortMultipartUploadAsync(bucket, upload.Key, upload.UploadId, cancellationToken).ConfigureAwait(false);
                    uploads++;
                }
                catch (NimbusApiException ex) when (ex.Code == "NoSuchUpload")
                {
                    // Completed or aborted meanwhile.
                }
            }

            (keyMarker, uploadMarker) = (page.NextKeyMarker, page.NextUploadIdMarker);
        }
        while (keyMarker is not null);

        long versions = 0;
        long markers = 0;
        var failures = new List<S3DeleteError>();
        var failed = new HashSet<(string, string)>();
        while (true)
        {
            // Each round lists from the start again: what was just deleted is gone, so no marker can point at a deleted version.
            var page = await s3.ListObjectVersionsAsync(bucket, cancellationToken: cancellationToken).ConfigureAwait(false);
            var batch = page.Versions.Where(v => !failed.Contains((v.Key, v.VersionId))).ToList();
            if (batch.Count == 0)
            {
                break;
            }

            var result = await s3.DeleteObjectVersionsAsync(bucket, [.. batch.Select(v => (v.Key, v.VersionId))], cancellationToken).ConfigureAwait(false);
            var errorKeys = result.Errors.Select(e => e.Key).ToHashSet(StringComparer.Ordinal);
            foreach (var version in batch)
            {
                if (errorKeys.Contains(version.Key))
                {
                    failed.Add((version.Key, version.VersionId));
                }
                else
                {
                    versions++;
                    markers += version.IsDeleteMarker ? 1 : 0;
                }
            }

            failures.AddRange(result.Errors);
        }

        if (failures.Count > 0)
        {
            var first = failures[0];
            throw new NimbusApiException(
                System.Net.HttpStatusCode.Forbidden,
                new Contracts.Errors.ProblemDto { Code = first.Code, Detail = $"{failures.Count} object versions could not be deleted; the first, '{first.Key}': {first.Message}" });
        }

        return (versions, markers, uploads);
    }
}
