using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Nimbus.Core.Audit;

/// <summary>
/// Between the request pipeline and the <see cref="IAuditLog"/>: requests enqueue their record into a
/// bounded channel and return; one background writer appends what is queued in batches, one transaction
/// per batch. A full queue makes requests wait for room (backpressure) instead of dropping records, and
/// <see cref="StopAsync"/> drains the queue before the log may be closed.
/// </summary>
public sealed partial class AuditTrail : IAsyncDisposable
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    private readonly IAuditLog _log;
    private readonly AuditOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<AuditEvent> _queue;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _progress = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _writer;
    private long _enqueued;
    private long _settled;
    private int _stopped;

    public AuditTrail(IAuditLog log, AuditOptions options, ILogger<AuditTrail> logger)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.QueueCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBatchSize, 1);
        _log = log;
        _options = options;
        _logger = logger;
        _queue = Channel.CreateBounded<AuditEvent>(new BoundedChannelOptions(options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
    }

    public IAuditLog Log => _log;

    /// <summary>Completes once the log is initialized and the writer runs.</summary>
    public Task Started => _started.Task;

    /// <summary>Records written so far (for tests and metrics).</summary>
    public long Written => Interlocked.Read(ref _settled);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _log.InitializeAsync(cancellationToken).ConfigureAwait(false);
        _writer = Task.Run(RunWriterAsync, CancellationToken.None);
        _started.TrySetResult();
    }

    /// <summary>
    /// Queues a record. Waits while the queue is full; deliberately not cancellable by the request, so
    /// that a client hanging up cannot remove its own record.
    /// </summary>
    public ValueTask RecordAsync(AuditEvent record)
    {
        ArgumentNullException.ThrowIfNull(record);
        Interlocked.Increment(ref _enqueued);
        if (_queue.Writer.TryWrite(record))
        {
            return ValueTask.CompletedTask;
        }

        return WaitAndWriteAsync(record);
    }

    /// <summary>Waits until every record queued before this call is written (read-your-writes for queries).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var target = Interlocked.Read(ref _enqueued);
        while (Interlocked.Read(ref _settled) < target)
        {
            var progress = Volatile.Read(ref _progress).Task;
            if (Interlocked.Read(ref _settled) >= target || _writer is null || _writer.IsCompleted)
            {
                return;
            }

            await progress.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops taking records and writes every queued one. Call after the server stopped taking requests, before the store closes.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            if (_writer is not null)
            {
                await _writer.ConfigureAwait(false);
            }

            return;
        }

        _queue.Writer.TryComplete();
        if (_writer is not null)
        {
            await _writer.ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
    }

    private async ValueTask WaitAndWriteAsync(AuditEvent record)
    {
        try
        {
            await _queue.Writer.WriteAsync(record, CancellationToken.None).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            // Only after shutdown began: the server no longer takes requests, so this is a straggler.
            LogLost(1, record.RequestId);
            Settle(1);
        }
    }

    private async Task RunWriterAsync()
    {
        var batch = new List<AuditEvent>(_options.MaxBatchSize);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            Drain(reader, batch);
            if (batch.Count < _options.MaxBatchSize && _options.BatchWindow > TimeSpan.Zero && _stopped == 0)
            {
                await Task.Delay(_options.BatchWindow, CancellationToken.None).ConfigureAwait(false);
                Drain(reader, batch);
            }

            await AppendWithRetryAsync(batch).ConfigureAwait(false);
            Settle(batch.Count);
            batch.Clear();
        }
    }

    private void Drain(ChannelReader<AuditEvent> reader, List<AuditEvent> batch)
    {
        while (batch.Count < _options.MaxBatchSize && reader.TryRead(out var record))
        {
            batch.Add(record);
        }
    }

    private async Task AppendWithRetryAsync(List<AuditEvent> batch)
    {
        var delay = TimeSpan.FromMilliseconds(50);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _log.AppendAsync(batch, CancellationToken.None).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A full disk or a database restart: keep the batch and retry; requests wait behind the
                // full queue meanwhile. Once shutting down, give up loudly after a few more tries.
                if (_stopped != 0 && attempt >= 5)
                {
                    LogLost(batch.Count, batch[0].RequestId);
                    return;
                }

                LogAppendFailed(ex, batch.Count, attempt);
                await Task.Delay(delay, CancellationToken.None).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            }
        }
    }

    private void Settle(int count)
    {
        Interlocked.Add(ref _settled, count);
        var previous = Interlocked.Exchange(ref _progress, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        previous.TrySetResult();
    }

    [LoggerMessage(EventId = 4000, Level = LogLevel.Error, Message = "Writing {Count} audit records failed (attempt {Attempt}); retrying")]
    private partial void LogAppendFailed(Exception ex, int count, int attempt);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Critical, Message = "{Count} audit records could not be written and are lost (first request id {RequestId})")]
    private partial void LogLost(int count, string requestId);
}
