using Microsoft.Data.Sqlite;
using Nimbus.Core.Errors;
using Nimbus.Store.Sql;

namespace Nimbus.Store.Sqlite;

/// <summary>
/// Runs a batch of units of work in one <c>BEGIN IMMEDIATE</c> transaction on the single writer
/// connection, each inside its own savepoint, and commits once: one WAL fsync pays for the whole
/// batch, which is what lets many concurrent callers write durably at disk-sync speed.
/// </summary>
internal sealed class SqliteGroupCommit : IAsyncDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqlCommandCache _commands;
    private readonly TimeProvider _timeProvider;
    private readonly SqliteCommand _begin;
    private readonly SqliteCommand _commit;
    private readonly SqliteCommand _rollback;
    private readonly SqliteCommand _savepoint;
    private readonly SqliteCommand _release;
    private readonly SqliteCommand _rollbackToSavepoint;
    private readonly List<(WriteRequest Request, bool Wrote)> _done = [];
    private readonly List<string> _touched = [];
    private readonly ResourceCache _cache;

    public SqliteGroupCommit(SqliteConnection connection, TimeProvider timeProvider, ResourceCache cache)
    {
        _cache = cache;
        _connection = connection;
        _commands = new SqlCommandCache(connection);
        _timeProvider = timeProvider;
        _begin = Command("BEGIN IMMEDIATE");
        _commit = Command("COMMIT");
        _rollback = Command("ROLLBACK");
        _savepoint = Command("SAVEPOINT unit");
        _release = Command("RELEASE unit");
        _rollbackToSavepoint = Command("ROLLBACK TO unit");
    }

    /// <summary>
    /// Runs and commits <paramref name="batch"/>, completing every request. Never throws: a fault
    /// of the transaction itself fails the requests it would have committed.
    /// </summary>
    /// <returns>True when something was committed.</returns>
    public async Task<bool> RunAsync(IReadOnlyList<WriteRequest> batch)
    {
        _done.Clear();
        _touched.Clear();
        var began = false;
        var announced = false;
        try
        {
            await _begin.ExecuteNonQueryAsync();
            began = true;
            foreach (var request in batch)
            {
                if (request.CancellationToken.IsCancellationRequested)
                {
                    request.Cancel();
                    continue;
                }

                await RunUnitAsync(request);
            }

            _cache.BeginWrite(_touched);
            announced = true;
            await _commit.ExecuteNonQueryAsync();
        }
        catch (Exception ex)
        {
            if (announced)
            {
                _cache.EndWrite(_touched);
            }

            if (began)
            {
                TryRollback();
            }

            // Nothing of this batch is kept: every unit not yet answered fails, including those
            // that ran to completion and were waiting for the commit.
            var fault = NimbusException.Unavailable("The control-plane store could not commit the write.", ex);
            foreach (var request in batch)
            {
                request.Fail(fault);
            }

            return false;
        }

        // Before anyone is answered, so that a caller reads its own write.
        _cache.EndWrite(_touched);

        var wrote = false;
        foreach (var (request, unitWrote) in _done)
        {
            request.Complete();
            wrote |= unitWrote;
        }

        return wrote;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var command in new[] { _begin, _commit, _rollback, _savepoint, _release, _rollbackToSavepoint })
        {
            await command.DisposeAsync();
        }

        await _commands.DisposeAsync();
        await _connection.DisposeAsync();
    }

    /// <summary>Runs one unit in a savepoint. Throws only when the transaction itself broke.</summary>
    private async Task RunUnitAsync(WriteRequest request)
    {
        await _savepoint.ExecuteNonQueryAsync();
        var writer = new SqlStoreWriter(_commands, SqliteDialect.Instance, _timeProvider);
        try
        {
            await request.RunAsync(writer);
        }
        catch (Exception ex)
        {
            writer.Close();

            // If SQLite rolled the whole transaction back itself (disk full, I/O error), the
            // savepoint is gone and this throws: the batch fails as a whole.
            await _rollbackToSavepoint.ExecuteNonQueryAsync();
            await _release.ExecuteNonQueryAsync();
            request.Fail(ex);
            return;
        }

        writer.Close();
        await _release.ExecuteNonQueryAsync();
        _done.Add((request, writer.HasWrites));
        _touched.AddRange(writer.TouchedIds);
    }

    private void TryRollback()
    {
        try
        {
            _rollback.ExecuteNonQuery();
        }
        catch (SqliteException)
        {
            // SQLite already ended the transaction (it does on some I/O errors).
        }
    }

    private SqliteCommand Command(string sql)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }
}
