using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Nimbus.Contracts.Storage;
using Nimbus.Core.Api;
using Nimbus.Core.Store;
using Nimbus.Storage.Buckets;
using Nimbus.Storage.Engine;
using Nimbus.Storage.S3;

namespace Nimbus.Storage.Lifecycle;

/// <summary>
/// Enforces every bucket's lifecycle rules against the object index: one pass reads each rule's prefix in
/// version order (key by key, newest first) and submits what is due in batches. Each batch re-checks every
/// version inside the commit (same row, still current), so a write racing the pass is never expired by it.
/// </summary>
internal sealed partial class LifecycleWorker(ObjectEngine engine, BucketService buckets, IResourceStore store, TimeProvider time, ILogger logger)
{
    private const int PageSize = 1000;
    private const int BatchSize = 256;

    public async Task<LifecycleReport> RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var report = new LifecycleReport { StartedAt = now };
        string? token = null;
        do
        {
            var page = await store.ListAsync(new ResourceQuery { Kind = BucketService.Kind, PageSize = 1000, PageToken = token }, cancellationToken).ConfigureAwait(false);
            foreach (var resource in page.Items)
            {
                var spec = resource.Spec.Deserialize<BucketSpec>(NimbusJson.Options);
                if (spec?.Lifecycle is not { } text || await buckets.FindAsync(resource.Name, cancellationToken).ConfigureAwait(false) is not { } bucket || bucket.Id != resource.Id)
                {
                    continue;
                }

                LifecycleConfiguration configuration;
                try
                {
                    configuration = LifecycleConfiguration.Parse(Encoding.UTF8.GetBytes(text));
                }
                catch (Core.Errors.NimbusException ex)
                {
                    LogBadConfiguration(bucket.Name, ex.Message);
                    continue;
                }

                report.Buckets++;
                foreach (var rule in configuration.Rules.Where(r => r.Enabled))
                {
                    await ApplyAsync(bucket, rule, now, report, cancellationToken).ConfigureAwait(false);
                }
            }

            token = page.NextPageToken;
        }
        while (token is not null);
        report.CompletedAt = time.GetUtcNow();
        if (report.Expired + report.UploadsAborted > 0)
        {
            LogApplied(report.Buckets, report.Expired, report.UploadsAborted);
        }

        return report;
    }

    private async Task ApplyAsync(BucketEntry bucket, LifecycleRule rule, DateTimeOffset now, LifecycleReport report, CancellationToken cancellationToken)
    {
        var prefix = Encoding.UTF8.GetBytes(rule.Filter.Prefix);
        if (rule.ExpirationDays is not null || rule.ExpirationDate is not null || rule.ExpiredObjectDeleteMarker || rule.NoncurrentDays is not null)
        {
            var due = new List<LifecycleExpiry>();
            var group = new List<ListedVersion>();
            foreach (var version in Versions(bucket.Id, prefix))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (group.Count > 0 && !group[0].Key.AsSpan().SequenceEqual(version.Key))
                {
                    Decide(bucket, rule, group, now, due);
                    group.Clear();
                    if (due.Count >= BatchSize)
                    {
                        report.Expired += await engine.ExpireAsync(bucket.Id, bucket.Account, due, bucket.Versioning, now).ConfigureAwait(false);
                        due.Clear();
                    }
                }

                group.Add(version);
            }

            if (group.Count > 0)
            {
                Decide(bucket, rule, group, now, due);
            }

            if (due.Count > 0)
            {
                report.Expired += await engine.ExpireAsync(bucket.Id, bucket.Account, due, bucket.Versioning, now).ConfigureAwait(false);
            }
        }

        if (rule.AbortIncompleteUploadDays is { } days)
        {
            var upper = prefix.Length == 0 ? null : ListHandlers.PrefixEnd(prefix);
            var lower = prefix;
            while (true)
            {
                var uploads = engine.Reader.ListUploads(bucket.Id, lower, upper, PageSize);
                foreach (var upload in uploads)
                {
                    if (now >= LifecycleRule.Due(upload.Initiated, days) && await engine.AbortUploadAsync(upload, bucket.Account).ConfigureAwait(false))
                    {
                        report.UploadsAborted++;
                    }
                }

                // Pages continue after the last key: a key with more than a page of uploads waits for the next pass.
                if (uploads.Count < PageSize)
                {
                    break;
                }

                lower = ListHandlers.Successor(uploads[^1].Key);
            }
        }
    }

    /// <summary>What is due among one key's versions (newest first).</summary>
    private void Decide(BucketEntry bucket, LifecycleRule rule, List<ListedVersion> versions, DateTimeOffset now, List<LifecycleExpiry> due)
    {
        var current = versions[0];
        if (!current.IsLatest)
        {
            return;
        }

        if (!current.IsDeleteMarker && (rule.ExpirationDays is not null || rule.ExpirationDate is not null))
        {
            var when = rule.ExpirationDate ?? LifecycleRule.Due(current.LastModified, rule.ExpirationDays!.Value);
            if (now >= when && Matches(bucket, rule, current))
            {
                due.Add(new LifecycleExpiry(current.Key, current.Row, current.VersionId, Current: true));
            }
        }

        if (current.IsDeleteMarker && versions.Count == 1 && rule.ExpiredObjectDeleteMarker)
        {
            due.Add(new LifecycleExpiry(current.Key, current.Row, current.VersionId, Current: false));
        }

        if (rule.NoncurrentDays is { } days)
        {
            for (var i = 1; i < versions.Count; i++)
            {
                // A version became noncurrent when the next newer one was written; N newest noncurrent ones may be kept.
                var version = versions[i];
                var newerNoncurrent = i - 1;
                if (newerNoncurrent >= (rule.NewerNoncurrentVersions ?? 0)
                    && now >= LifecycleRule.Due(versions[i - 1].LastModified, days)
                    && (version.IsDeleteMarker || Matches(bucket, rule, version)))
                {
                    due.Add(new LifecycleExpiry(version.Key, version.Row, version.VersionId, Current: false));
                }
            }
        }
    }

    private bool Matches(BucketEntry bucket, LifecycleRule rule, ListedVersion version) =>
        rule.Filter.MatchesSize(version.Size)
        && (rule.Filter.Tags.Count == 0 || rule.Filter.MatchesTags(engine.Reader.GetVersion(bucket.Id, version.Key, version.VersionId)?.Meta.Tags));

    /// <summary>Every version under a prefix in ListObjectVersions order, page by page.</summary>
    private IEnumerable<ListedVersion> Versions(string bucketId, byte[] prefix)
    {
        var upper = prefix.Length == 0 ? null : ListHandlers.PrefixEnd(prefix);
        var key = prefix;
        long? belowRow = null;
        while (true)
        {
            var rows = engine.Reader.ListVersions(bucketId, key, belowRow, upper, PageSize);
            foreach (var row in rows)
            {
                yield return row;
            }

            if (rows.Count == PageSize)
            {
                (key, belowRow) = (rows[^1].Key, rows[^1].Row);
            }
            else if (belowRow is not null)
            {
                (key, belowRow) = (ListHandlers.Successor(key), null);
            }
            else
            {
                yield break;
            }
        }
    }

    [LoggerMessage(EventId = 7050, Level = LogLevel.Warning, Message = "Lifecycle configuration of bucket {Bucket} no longer parses and is skipped: {Reason}")]
    private partial void LogBadConfiguration(string bucket, string reason);

    [LoggerMessage(EventId = 7051, Level = LogLevel.Information, Message = "Lifecycle pass over {Buckets} buckets: {Expired} versions expired, {Aborted} incomplete uploads aborted")]
    private partial void LogApplied(int buckets, long expired, long aborted);
}

/// <summary>A version a lifecycle rule found due: the current version to expire, or a version to remove for good.</summary>
internal readonly record struct LifecycleExpiry(byte[] Key, long Row, string VersionId, bool Current);

/// <summary>What one lifecycle pass did.</summary>
public sealed class LifecycleReport
{
    public DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>Buckets with a lifecycle configuration.</summary>
    public int Buckets { get; set; }

    /// <summary>Versions expired (current ones deleted or given a delete marker, noncurrent ones and lone delete markers removed).</summary>
    public long Expired { get; set; }

    public long UploadsAborted { get; set; }
}
