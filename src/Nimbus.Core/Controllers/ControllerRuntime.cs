using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Nimbus.Core.Errors;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;

namespace Nimbus.Core.Controllers;

/// <summary>
/// Runs one reconcile loop per kind. At start it remembers the feed position, lists every
/// resource of each kind and queues them (the full resync), then follows the change feed.
/// Failures are retried per resource with exponential backoff; progress lands in status.
/// </summary>
public sealed partial class ControllerRuntime : IAsyncDisposable
{
    private const int WorkersPerKind = 4;
    private readonly IResourceStore _store;
    private readonly Dictionary<string, KindLoop> _loops;
    private readonly ControllerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _feedSignal = new(0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _tasks = [];
    private long _cursor;
    private volatile bool _running;

    public ControllerRuntime(IResourceStore store, IEnumerable<IReconciler> reconcilers, ControllerOptions options, TimeProvider time, ILogger<ControllerRuntime> logger)
    {
        _store = store;
        _options = options;
        _time = time;
        _logger = logger;
        _loops = reconcilers.ToDictionary(r => r.Kind, r => new KindLoop(r));
    }

    /// <summary>True once the initial resync has been queued and the loops run.</summary>
    public bool IsRunning => _running;

    public IReadOnlyCollection<string> Kinds => _loops.Keys;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _store.Committed += OnCommitted;
        _cursor = await _store.GetLatestSequenceAsync(cancellationToken).ConfigureAwait(false);
        await ResyncAllAsync(cancellationToken).ConfigureAwait(false);
        var token = _stopping.Token;
        _tasks.Add(Task.Run(() => FollowFeedAsync(token), CancellationToken.None));
        _tasks.Add(Task.Run(() => PeriodicResyncAsync(token), CancellationToken.None));
        foreach (var loop in _loops.Values)
        {
            for (var i = 0; i < Math.Max(1, loop.Reconciler.Workers ?? WorkersPerKind); i++)
            {
                _tasks.Add(Task.Run(() => WorkAsync(loop, token), CancellationToken.None));
            }
        }

        _running = true;
        LogStarted(_loops.Count, _cursor);
    }

    public async Task StopAsync()
    {
        _running = false;
        _store.Committed -= OnCommitted;
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_tasks).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
        _feedSignal.Dispose();
    }

    private void OnCommitted()
    {
        if (_feedSignal.CurrentCount == 0)
        {
            _feedSignal.Release();
        }
    }

    private async Task ResyncAllAsync(CancellationToken cancellationToken)
    {
        foreach (var loop in _loops.Values)
        {
            string? token = null;
            do
            {
                var page = await _store.ListAsync(new ResourceQuery { Kind = loop.Reconciler.Kind, PageSize = 1000, PageToken = token }, cancellationToken).ConfigureAwait(false);
                foreach (var resource in page.Items)
                {
                    loop.Queue.Add(resource.Id);
                }

                token = page.NextPageToken;
            }
            while (token is not null);
        }
    }

    private async Task PeriodicResyncAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.ResyncInterval, _time, cancellationToken).ConfigureAwait(false);
                await ResyncAllAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex)
            {
                LogResyncFailed(ex);
            }
        }
    }

    private async Task FollowFeedAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var changes = await _store.ReadChangesAsync(_cursor, 1000, cancellationToken).ConfigureAwait(false);
                foreach (var change in changes)
                {
                    if (change.Type != ChangeType.StatusUpdated && _loops.TryGetValue(change.Kind, out var loop))
                    {
                        loop.Queue.Add(change.ResourceId);
                    }

                    _cursor = change.Sequence;
                }

                if (changes.Count == 1000)
                {
                    continue;
                }

                await _feedSignal.WaitAsync(_options.PollInterval, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex)
            {
                LogFeedFailed(ex);
                await DelayQuietlyAsync(_options.InitialBackoff, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task WorkAsync(KindLoop loop, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            string id;
            try
            {
                id = await loop.Queue.TakeAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            TimeSpan? requeue = null;
            try
            {
                requeue = await ReconcileOneAsync(loop.Reconciler, id, cancellationToken).ConfigureAwait(false);
                loop.Failures.TryRemove(id, out _);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                loop.Queue.Done(id);
                return;
            }
            catch (NimbusException ex) when (ex.Code == Contracts.Errors.ErrorCodes.VersionConflict)
            {
                // The resource changed under us; its change event queues it again.
                requeue = TimeSpan.Zero;
            }
            catch (Exception ex)
            {
                var failures = loop.Failures.AddOrUpdate(id, 1, (_, n) => n + 1);
                requeue = Backoff(failures);
                LogReconcileFailed(ex, loop.Reconciler.Kind, id, failures, requeue.Value.TotalMilliseconds);
                await RecordFailureAsync(id, ex, cancellationToken).ConfigureAwait(false);
            }

            loop.Queue.Done(id);
            if (requeue is { } delay)
            {
                Requeue(loop, id, delay, cancellationToken);
            }
        }
    }

    private void Requeue(KindLoop loop, string id, TimeSpan delay, CancellationToken cancellationToken)
    {
        if (delay <= TimeSpan.Zero)
        {
            loop.Queue.Add(id);
            return;
        }

        _ = Task.Run(
            async () =>
            {
                await DelayQuietlyAsync(delay, cancellationToken).ConfigureAwait(false);
                if (!cancellationToken.IsCancellationRequested)
                {
                    loop.Queue.Add(id);
                }
            },
            CancellationToken.None);
    }

    private async Task<TimeSpan?> ReconcileOneAsync(IReconciler reconciler, string id, CancellationToken cancellationToken)
    {
        var resource = await _store.GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (resource is null)
        {
            return null;
        }

        if (resource.DeletionRequestedAt is not null)
        {
            await reconciler.FinalizeAsync(resource, cancellationToken).ConfigureAwait(false);
            await _store.WriteAsync<bool>(
                async (w, ct) =>
                {
                    // Only the worker that really removes it runs the hook: a second would release quota twice.
                    if (await w.GetAsync(id, ct).ConfigureAwait(false) is { } current)
                    {
                        await reconciler.BeforeDeleteAsync(w, current, ct).ConfigureAwait(false);
                        await w.DeleteAsync(id, null, ct).ConfigureAwait(false);
                    }

                    return true;
                },
                cancellationToken).ConfigureAwait(false);
            LogFinalized(reconciler.Kind, id);
            return null;
        }

        var result = await reconciler.ReconcileAsync(resource, cancellationToken).ConfigureAwait(false);
        var status = result.Status with { ObservedVersion = resource.Version };
        if (!StatusComparer.Same(status, resource.Status))
        {
            await _store.WriteAsync((w, ct) => w.UpdateStatusAsync(id, resource.Version, status, ct), cancellationToken).ConfigureAwait(false);
        }

        return result.RequeueAfter;
    }

    private async Task RecordFailureAsync(string id, Exception error, CancellationToken cancellationToken)
    {
        try
        {
            await _store.WriteAsync<bool>(
                async (w, ct) =>
                {
                    var current = await w.GetAsync(id, ct).ConfigureAwait(false);
                    if (current is null)
                    {
                        return false;
                    }

                    var condition = new Condition("Ready", "False", "ReconcileError", error.Message, _time.GetUtcNow());
                    var status = current.Status with
                    {
                        Message = error.Message,
                        Conditions = current.Status.Conditions.RemoveAll(c => c.Type == "Ready").Add(condition),
                    };
                    await w.UpdateStatusAsync(id, current.Version, status, ct).ConfigureAwait(false);
                    return true;
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogStatusWriteFailed(ex, id);
        }
    }

    private TimeSpan Backoff(int failures)
    {
        var ms = _options.InitialBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 20));
        ms = Math.Min(ms, _options.MaxBackoff.TotalMilliseconds);

        // Half jitter: spreads retries of many failing resources without ever retrying instantly.
        ms = (ms / 2) + (Random.Shared.NextDouble() * ms / 2);
        return TimeSpan.FromMilliseconds(ms);
    }

    private async Task DelayQuietlyAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Controllers started for {KindCount} kinds at feed sequence {Sequence}")]
    private partial void LogStarted(int kindCount, long sequence);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Reconcile of {Kind} {Id} failed ({Failures} in a row); retrying in {DelayMs} ms")]
    private partial void LogReconcileFailed(Exception ex, string kind, string id, int failures, double delayMs);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "Reading the change feed failed")]
    private partial void LogFeedFailed(Exception ex);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Error, Message = "Periodic resync failed")]
    private partial void LogResyncFailed(Exception ex);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "Finalized and deleted {Kind} {Id}")]
    private partial void LogFinalized(string kind, string id);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "Could not record the failure of {Id} in its status")]
    private partial void LogStatusWriteFailed(Exception ex, string id);

    private sealed class KindLoop(IReconciler reconciler)
    {
        public IReconciler Reconciler { get; } = reconciler;

        public WorkQueue Queue { get; } = new();

        public ConcurrentDictionary<string, int> Failures { get; } = new();
    }
}
