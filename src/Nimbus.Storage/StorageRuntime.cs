using Microsoft.Extensions.Logging;
using Nimbus.Storage.Engine;

namespace Nimbus.Storage;

/// <summary>
/// The background work of object storage: the usage publisher, the sweep of data files a crash left
/// without metadata, and the periodic scrubber. Started after the store opened, stopped before it closes.
/// </summary>
public sealed partial class StorageRuntime : IAsyncDisposable
{
    private readonly ObjectEngine _engine;
    private readonly StorageUsage _usage;
    private readonly StorageOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _tasks = [];
    private readonly SemaphoreSlim _scrubbing = new(1, 1);
    private readonly SemaphoreSlim _lifecycling = new(1, 1);
    private readonly Lifecycle.LifecycleWorker _lifecycle;
    private int _stopped;

    internal StorageRuntime(ObjectEngine engine, StorageUsage usage, StorageOptions options, TimeProvider time, ILogger<StorageRuntime> logger, Lifecycle.LifecycleWorker lifecycle)
    {
        _lifecycle = lifecycle;
        _engine = engine;
        _usage = usage;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>The last scrub's figures.</summary>
    public ScrubStatus LastScrub => _engine.LastScrub;

    /// <summary>Corrupt objects found since start, by GETs and scrubs.</summary>
    public long CorruptionsFound => _engine.CorruptionsFound;

    public void Start()
    {
        _usage.Start();
        _tasks.Add(Task.Run(() => SweepAsync(_stop.Token)));
        if (_options.ScrubInterval > TimeSpan.Zero)
        {
            _tasks.Add(Task.Run(() => ScrubLoopAsync(_stop.Token)));
        }

        if (_options.LifecycleInterval > TimeSpan.Zero)
        {
            _tasks.Add(Task.Run(() => LifecycleLoopAsync(_stop.Token)));
        }
    }

    /// <summary>Applies every bucket's lifecycle rules now (one pass at a time) and returns what it did.</summary>
    public async Task<Lifecycle.LifecycleReport> RunLifecycleAsync(CancellationToken cancellationToken)
    {
        await _lifecycling.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await _lifecycle.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _lifecycling.Release();
        }
    }

    /// <summary>Scrubs every object now (one scrub at a time) and returns the figures.</summary>
    public async Task<ScrubStatus> ScrubAsync(CancellationToken cancellationToken)
    {
        await _scrubbing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await _engine.ScrubAsync(_time, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _scrubbing.Release();
        }
    }

    /// <summary>Publishes byte usage to the quota ledger now (tests, shutdown).</summary>
    public Task PublishUsageAsync(CancellationToken cancellationToken) => _usage.PublishAsync(cancellationToken);

    /// <summary>Metrics in Prometheus text format.</summary>
    public string RenderMetrics()
    {
        var scrub = LastScrub;
        return "# HELP nimbus_storage_corrupt_objects_found_total Corrupt objects found by reads and scrubs since start.\n# TYPE nimbus_storage_corrupt_objects_found_total counter\n"
            + $"nimbus_storage_corrupt_objects_found_total {CorruptionsFound}\n"
            + "# HELP nimbus_storage_scrub_corrupt_objects Corrupt objects found by the last scrub.\n# TYPE nimbus_storage_scrub_corrupt_objects gauge\n"
            + $"nimbus_storage_scrub_corrupt_objects {scrub.CorruptObjects}\n"
            + "# HELP nimbus_storage_scrub_objects_checked Objects verified by the last scrub.\n# TYPE nimbus_storage_scrub_objects_checked gauge\n"
            + $"nimbus_storage_scrub_objects_checked {scrub.ObjectsChecked}\n"
            + "# HELP nimbus_storage_scrub_last_completed_seconds Unix time of the last completed scrub (0 when none).\n# TYPE nimbus_storage_scrub_last_completed_seconds gauge\n"
            + $"nimbus_storage_scrub_last_completed_seconds {scrub.LastCompletedAt?.ToUnixTimeSeconds() ?? 0}\n";
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var task in _tasks)
        {
            try
            {
                await task.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        await _usage.DisposeAsync().ConfigureAwait(false);
        await _engine.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task SweepAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _engine.SweepOrphansAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogBackgroundFailed(ex, "orphan sweep");
        }
    }

    private async Task ScrubLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.ScrubInterval, _time, cancellationToken).ConfigureAwait(false);
                await ScrubAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogBackgroundFailed(ex, "scrub");
            }
        }
    }

    private async Task LifecycleLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.LifecycleInterval, _time, cancellationToken).ConfigureAwait(false);
                await RunLifecycleAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogBackgroundFailed(ex, "lifecycle pass");
            }
        }
    }

    [LoggerMessage(EventId = 7040, Level = LogLevel.Error, Message = "Object storage {Work} failed")]
    private partial void LogBackgroundFailed(Exception ex, string work);
}
