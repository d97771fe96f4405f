using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Quotas;
using Nimbus.Core.Errors;
using Nimbus.Core.Quotas;
using Nimbus.Core.Store;
using Nimbus.Storage.Engine;

namespace Nimbus.Storage;

/// <summary>
/// The <c>storage.bytes</c> quota. The object index counts bytes per bucket in the same transaction as every
/// object commit; this gate reserves a PUT's bytes against the account's limit before the body is received
/// (<see cref="ReserveAsync"/>), and a background loop copies changed accounts' totals into the quota ledger
/// (about once a second), so the quota API shows them without every small PUT paying a control-plane write.
/// </summary>
internal sealed partial class StorageUsage(IResourceStore store, QuotaService quotas, ObjectEngine engine, TimeProvider time, ILogger<StorageUsage> logger) : IAsyncDisposable
{
    private static readonly TimeSpan LimitCacheTime = TimeSpan.FromSeconds(2);
    private readonly ConcurrentDictionary<string, (long Limit, DateTimeOffset ReadAt)> _limits = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _reserved = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private int _disposed;

    /// <summary>
    /// Reserves <paramref name="bytes"/> of the account's <c>storage.bytes</c> quota for a write in progress, or
    /// throws <c>QuotaExceeded</c> when the committed usage, what other writes in progress reserved and these
    /// bytes together would pass the limit. The check is exact for writers of this node: the committed usage is
    /// the index's own count (updated before a commit's callers are answered) and concurrent writes see each
    /// other's reservations, so no burst of PUTs can overshoot the limit. Dispose the reservation once the write
    /// committed or failed. An overwrite is counted as new bytes until it commits (it may fail).
    /// </summary>
    public async ValueTask<Reservation> ReserveAsync(string account, long bytes, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!_limits.TryGetValue(account, out var cached) || now - cached.ReadAt > LimitCacheTime)
        {
            cached = (await quotas.GetLimitAsync(account, StorageQuotas.Bytes.Code, cancellationToken).ConfigureAwait(false), now);
            _limits[account] = cached;
        }

        lock (_reserved)
        {
            var usage = engine.AccountBytes(account) + _reserved.GetValueOrDefault(account);
            if (usage + bytes > cached.Limit)
            {
                throw new NimbusException(
                    ErrorCodes.QuotaExceeded,
                    403,
                    $"Quota {StorageQuotas.Bytes.Code} of account {account} is exceeded: limit {cached.Limit}, usage {usage} (stored and being written), requested {bytes} bytes. Delete objects, or ask a platform administrator to raise the limit.")
                {
                    Quota = new QuotaProblemDto { Code = StorageQuotas.Bytes.Code, Limit = cached.Limit, Usage = usage, Requested = bytes },
                };
            }

            _reserved[account] = _reserved.GetValueOrDefault(account) + bytes;
        }

        return new Reservation(this, account, bytes);
    }

    private void Release(string account, long bytes)
    {
        lock (_reserved)
        {
            var left = _reserved.GetValueOrDefault(account) - bytes;
            if (left <= 0)
            {
                _reserved.Remove(account);
            }
            else
            {
                _reserved[account] = left;
            }
        }
    }

    /// <summary>Bytes of a write in progress, counted against the quota until disposed.</summary>
    public sealed class Reservation(StorageUsage owner, string account, long bytes) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Release(account, bytes);
            }
        }
    }

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Copies the changed accounts' totals into the quota ledger now.</summary>
    public async Task PublishAsync(CancellationToken cancellationToken)
    {
        foreach (var account in engine.TakeChangedAccounts())
        {
            var bytes = engine.AccountBytes(account);
            await store.WriteAsync(
                async (w, ct) =>
                {
                    await quotas.SetUsageAsync(w, account, StorageQuotas.Bytes.Code, null, bytes, ct).ConfigureAwait(false);
                    return true;
                },
                cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        try
        {
            await PublishAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogPublishFailed(ex);
        }

        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken).ConfigureAwait(false);
                await PublishAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogPublishFailed(ex);
            }
        }
    }

    [LoggerMessage(EventId = 7030, Level = LogLevel.Warning, Message = "Could not publish storage usage to the quota ledger; retrying")]
    private partial void LogPublishFailed(Exception ex);
}
