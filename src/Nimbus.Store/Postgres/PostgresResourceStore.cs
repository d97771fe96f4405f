using System.Data;
using System.Data.Common;
using Npgsql;
using Nimbus.Core.Errors;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;
using Nimbus.Store.Sql;

namespace Nimbus.Store.Postgres;

/// <summary>
/// The shared engine, for several control-plane replicas: PostgreSQL through Npgsql. Each
/// <see cref="WriteAsync{T}"/> is one READ COMMITTED transaction; durability is the server's
/// (<c>synchronous_commit</c>, <c>fsync</c>).
/// </summary>
/// <remarks>
/// <see cref="Committed"/> fires only for commits made through this instance. Replicas that must
/// wake on each other's writes can add LISTEN/NOTIFY later; until then their feed readers poll.
/// </remarks>
public sealed class PostgresResourceStore : IResourceStore
{
    private readonly PostgresStoreOptions _options;
    private readonly NpgsqlDataSource _dataSource;
    private int _disposed;

    public PostgresResourceStore(PostgresStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.ConnectionString);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxAttempts, 1);
        _options = options;
        _dataSource = NpgsqlDataSource.Create(options.ConnectionString);
    }

    public string Provider => "postgres";

    public event Action? Committed;

    public Task InitializeAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return PostgresSchema.MigrateAsync(_dataSource, cancellationToken);
    }

    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await ReadAsync(SqlReads.PingAsync, cancellationToken);
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    public Task<Resource?> GetAsync(string id, CancellationToken cancellationToken) =>
        ReadAsync((connection, ct) => SqlReads.GetAsync(connection, id, ct), cancellationToken);

    public Task<Resource?> GetByNameAsync(string account, string kind, string name, CancellationToken cancellationToken) =>
        ReadAsync((connection, ct) => SqlReads.GetByNameAsync(connection, account, kind, name, ct), cancellationToken);

    public Task<ResourcePage> ListAsync(ResourceQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        return ReadAsync((connection, ct) => SqlReads.ListAsync(connection, query, ct), cancellationToken);
    }

    public Task<byte[]?> GetValueAsync(string ns, string key, CancellationToken cancellationToken) =>
        ReadAsync((connection, ct) => SqlReads.GetValueAsync(connection, ns, key, ct), cancellationToken);

    public Task<IReadOnlyList<ChangeEvent>> ReadChangesAsync(long afterSequence, int limit, CancellationToken cancellationToken) =>
        ReadAsync((connection, ct) => SqlReads.ReadChangesAsync(connection, afterSequence, limit, ct), cancellationToken);

    public Task<long> GetLatestSequenceAsync(CancellationToken cancellationToken) =>
        ReadAsync(SqlReads.GetLatestSequenceAsync, cancellationToken);

    public async Task<T> WriteAsync<T>(Func<IStoreWriter, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        UnitOfWorkScope.ThrowIfActive();
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var (result, wrote) = await RunOnceAsync(work, cancellationToken);
                if (wrote)
                {
                    CommitNotifier.Raise(Committed);
                }

                return result;
            }
            catch (PostgresException ex) when (ex.IsTransient && attempt < _options.MaxAttempts)
            {
                // Serialization failures and deadlocks roll the whole transaction back, so running
                // the unit again is safe. A little jitter keeps two deadlocked units from meeting again.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 * attempt)), cancellationToken);
            }
            catch (NpgsqlException ex) when (ex.IsTransient)
            {
                throw NimbusException.Unavailable("The control-plane database is unavailable or busy; retry.", ex);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _dataSource.DisposeAsync();
    }

    private async Task<(T Result, bool Wrote)> RunOnceAsync<T>(
        Func<IStoreWriter, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        UnitOfWorkScope.Enter();
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        await using var commands = new SqlCommandCache(connection);
        var writer = new SqlStoreWriter(commands, PostgresDialect.Instance, _options.TimeProvider);
        T result;
        try
        {
            result = await work(writer, cancellationToken);
        }
        finally
        {
            writer.Close();
        }

        // Once the unit is done the caller's token no longer applies: a COMMIT cut short would
        // leave the caller unsure whether its write happened.
        await transaction.CommitAsync(CancellationToken.None);
        return (result, writer.HasWrites);
    }

    private async Task<T> ReadAsync<T>(Func<DbConnection, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await read(connection, cancellationToken);
    }
}
