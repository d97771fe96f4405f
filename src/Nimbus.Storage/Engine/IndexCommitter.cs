using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Nimbus.Storage.Engine;

/// <summary>
/// The one writer of the object index, with group commit: every unit of work waiting when a batch starts
/// joins it. A batch applies the units in one SQLite transaction (each under a savepoint, so one failing
/// unit fails alone) and commits (one WAL fsync). Only then are the callers answered and the data files
/// their units dropped unlinked, on a sync thread, so that the committer is free for the callers' continuations
/// and the next batch at once (a 1 MiB file's unlink took about 150 µs). Small concurrent PUTs thus share the commit instead of paying each; a
/// unit's data file is durable (data and directory entry synced) before the unit is submitted.
/// </summary>
internal sealed partial class IndexCommitter : IAsyncDisposable
{
    private const int MaxBatch = 512;

    private readonly SqliteConnection _connection;
    private readonly IndexWriter _writer;
    private readonly StorageLayout _layout;
    private readonly CurrentVersionCache _current;
    private readonly ILogger _logger;
    private readonly Channel<Work> _queue = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true });
    // Data files unlinked since the last commit (filled by the unlink jobs), and those the next commit purges from the
    // doomed list (kept until a commit succeeds).
    private readonly ConcurrentQueue<DataId> _unlinked = new();
    private readonly List<DataId> _purging = [];
    private Task _unlinking = Task.CompletedTask;
    private readonly Task _loop;

    public IndexCommitter(SqliteConnection connection, StorageLayout layout, CurrentVersionCache current, ILogger logger)
    {
        _current = current;
        _connection = connection;
        _writer = new IndexWriter(connection);
        _layout = layout;
        _logger = logger;
        _loop = Task.Factory.StartNew(RunAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    /// <summary>Raised on the committer thread after each commit with the usage deltas it made durable.</summary>
    public event Action<IReadOnlyList<(string Bucket, string Account, long Objects, long Bytes)>>? Committed;

    /// <summary>Runs <paramref name="apply"/> in the next batch; completes after the commit.</summary>
    public Task<T> SubmitAsync<T>(Func<IndexWriter, T> apply)
    {
        var work = new Work<T>(apply);
        if (!_queue.Writer.TryWrite(work))
        {
            throw new ObjectDisposedException(nameof(IndexCommitter), "object storage is shutting down");
        }

        return work.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        _writer.Dispose();
    }

    private async Task RunAsync()
    {
        var batch = new List<Work>(MaxBatch);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < MaxBatch && reader.TryRead(out var work))
            {
                batch.Add(work);
            }

            try
            {
                Commit(batch);
            }
            catch (Exception ex)
            {
                // The transaction itself failed (disk full, I/O error): nothing of the batch is durable.
                LogBatchFailed(ex, batch.Count);
                foreach (var work in batch)
                {
                    work.Fail(ex);
                }
            }

            batch.Clear();
        }

        // Shutdown: forget what the last batches unlinked.
        await _unlinking.ConfigureAwait(false);
        if (!_unlinked.IsEmpty || _purging.Count > 0)
        {
            try
            {
                Commit([]);
            }
            catch (Exception ex)
            {
                LogBatchFailed(ex, 0);
            }
        }
    }

    private void Commit(List<Work> batch)
    {
        // The cache of current versions serves nothing from here until the commit is over (CurrentVersionCache).
        var failures = new Exception?[batch.Count];
        _current.BeginWrite();
        try
        {
            Apply(batch, failures);
        }
        finally
        {
            _current.EndWrite();
        }

        _purging.Clear();
        var doomed = _writer.Doomed.ToArray();
        var usage = _writer.UsageDeltas.ToArray();

        // Usage is counted before any caller is answered: a write's quota reservation is released after its
        // commit returns, and its bytes must be in the count by then (StorageUsage.ReserveAsync).
        if (usage.Length > 0)
        {
            Committed?.Invoke(usage);
        }

        for (var i = 0; i < batch.Count; i++)
        {
            if (failures[i] is { } failure)
            {
                batch[i].Fail(failure);
            }
            else
            {
                batch[i].Succeed();
            }
        }

        if (doomed.Length > 0)
        {
            var unlinking = SyncThreads.Run(() => Unlink(doomed));
            _unlinking = _unlinking.IsCompleted ? unlinking : Task.WhenAll(_unlinking, unlinking);
        }
    }

    /// <summary>On a sync thread: removes data files no row refers to any more; the next commit forgets them.</summary>
    private void Unlink(DataId[] doomed)
    {
        foreach (var id in doomed)
        {
            try
            {
                File.Delete(_layout.PathOf(id));
                _unlinked.Enqueue(id);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Left doomed in the index: start-up cleaning retries it.
                LogUnlinkFailed(ex, id.ToString());
            }
        }
    }

    private void Apply(List<Work> batch, Exception?[] failures)
    {
        using var transaction = _connection.BeginTransaction();
        _writer.Begin(transaction);
        while (_unlinked.TryDequeue(out var unlinked))
        {
            _purging.Add(unlinked);
        }

        if (_purging.Count > 0)
        {
            _writer.Purge(_purging);
        }

        for (var i = 0; i < batch.Count; i++)
        {
            var mark = _writer.Mark();
            _writer.Execute("SAVEPOINT unit");
            try
            {
                batch[i].Apply(_writer);
                _writer.Execute("RELEASE unit");
            }
            catch (Exception ex) when (ex is not SqliteException { SqliteErrorCode: 10 or 13 })
            {
                // 10 SQLITE_IOERR and 13 SQLITE_FULL fail the batch; anything else fails only its unit.
                _writer.Execute("ROLLBACK TO unit");
                _writer.Execute("RELEASE unit");
                _writer.Rewind(mark);
                failures[i] = ex;
            }
        }

        transaction.Commit();
    }

    [LoggerMessage(EventId = 7001, Level = LogLevel.Error, Message = "Object index commit of {Count} units failed")]
    private partial void LogBatchFailed(Exception ex, int count);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "Could not remove data file {DataId}; start-up cleaning will retry")]
    private partial void LogUnlinkFailed(Exception ex, string dataId);

    private abstract class Work
    {
        public abstract void Apply(IndexWriter writer);

        public abstract void Succeed();

        public abstract void Fail(Exception exception);
    }

    private sealed class Work<T>(Func<IndexWriter, T> apply) : Work
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T _result = default!;

        public Task<T> Task => _completion.Task;

        public override void Apply(IndexWriter writer) => _result = apply(writer);

        public override void Succeed() => _completion.TrySetResult(_result);

        public override void Fail(Exception exception) => _completion.TrySetException(exception);
    }
}
