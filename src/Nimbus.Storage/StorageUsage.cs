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
/// object commit; this gate checks a PUT against the account's limit before the body is received, and a
/// background loop copies changed accounts' totals into the quota ledger (about once a second), so the
/// quota API shows them without every small PUT paying a control-plane write.
/// </summary>
internal sealed partial class StorageUsage(IResourceStore store, QuotaService quotas, ObjectEngine engine, TimeProvider time, ILogger<StorageUsage> logger) : IAsyncDisposable
{
    private static readonly TimeSpan LimitCacheTime = TimeSpan.FromSeconds(2);
    private readonly ConcurrentDictionary<string, (long Limit, DateTimeOffset ReadAt)> _limits = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private int _disposed;

    /// <summary>Throws <c>QuotaExceeded</c> when storing <paramref name="bytes"/> more would pass the account's limit.</summary>
    public async ValueTask EnsureRoomAsync(string account, long bytes, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!_limits.TryGetValue(account, out var cached) || now - cached.ReadAt > LimitCacheTime)
        {
            cached = (await quotas.GetLimitAsync(account, StorageQuotas.Bytes.Code, cancellationToken).ConfigureAwait(false), now);
            _limits[account] = cached;
        }

        var usage = engine.AccountBytes(account);
        if (usage + bytes > cached.Limit)
        {
            throw new NimbusException(
                ErrorCodes.QuotaExceeded,
                403,
                $"Quota {StorageQuotas.Bytes.Code} of account {account} is exceeded: limit {cached.Limit}, usage {usage}, requested {bytes} bytes. Delete objects, or ask a platform administrator to raise the limit.")
            {
                Quota = new QuotaProblemDto { Code = StorageQuotas.Bytes.Code, Limit = cached.Limit, Usage = usage, Requested = bytes },
            };
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
