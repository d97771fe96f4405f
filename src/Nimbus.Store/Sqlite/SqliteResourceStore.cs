using System.Data.Common;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;
using Nimbus.Store.Sql;

namespace Nimbus.Store.Sqlite;

/// <summary>
/// The embedded engine: one database file in WAL mode with <c>synchronous=FULL</c>. Reads use
/// pooled read-only connections and never wait for writes. Writes queue to a single writer loop
/// that commits them in groups (see <see cref="SqliteGroupCommit"/>).
/// </summary>
/// <remarks>
/// Units of work run one after another on the writer, so each should be short: a unit that waits
/// for something slow (a network call, another write) holds up every writer behind it.
/// </remarks>
public sealed class SqliteResourceStore : IResourceStore
{
    private readonly SqliteStoreOptions _options;
    private readonly string _writeConnectionString;
    private readonly string _readConnectionString;
    private readonly Channel<WriteRequest> _queue =
        Channel.CreateUnbounded<WriteRequest>(new UnboundedChannelOptions { SingleReader = true });

    private readonly SemaphoreSlim _initializeGate = new(1, 1);
    private readonly ResourceCache _cache = new();
    private SqliteGroupCommit? _groupCommit;
    private Task? _writerLoop;
    private int _disposed;

    public SqliteResourceStore(SqliteStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.Path);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBatchSize, 1);
        _options = options;
        DatabasePath = System.IO.Path.GetFullPath(options.Path);
        var timeoutSeconds = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds);
        _writeConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = timeoutSeconds,
        }.ToString();
        _readConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = true,
            DefaultTimeout = timeoutSeconds,
        }.ToString();
    }

    public string Provider => "sqlite";

    /// <summary>Full path of the database file.</summary>
    public string DatabasePath { get; }

    public event Action? Committed;

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await _initializeGate.WaitAsync(cancellationToken);
        try
        {
            if (_writerLoop is not null)
            {
                return;
            }

            var directory = System.IO.Path.GetDirectoryName(DatabasePath);
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            var connection = new SqliteConnection(_writeConnectionString);
            try
            {
                await connection.OpenAsync(cancellationToken);
                await ConfigureWriterAsync(connection, cancellationToken);
                await SqliteSchema.MigrateAsync(connection, cancellationToken);
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }

            _groupCommit = new SqliteGroupCommit(connection, _options.TimeProvider, _cache);
            _writerLoop = Task.Run(RunWriterLoopAsync, CancellationToken.None);
        }
        finally
        {
            _initializeGate.Release();
        }
    }

    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await ReadAsync(SqlReads.PingAsync, cancellationToken);
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    public Task<Resource?> GetAsync(string id, CancellationToken cancellationToken) =>
        _cache.TryGet(id, out var cached) ? cached : ReadThroughAsync(id, cancellationToken);

    private async Task<Resource?> ReadThroughAsync(string id, CancellationToken cancellationToken)
    {
        var generation = _cache.Generation;
        var resource = await ReadAsync((connection, ct) => SqlReads.GetAsync(connection, id, ct), cancellationToken);
        if (resource is not null)
        {
            _cache.Offer(resource, generation);
        }

        return resource;
    }

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

    public Task<T> WriteAsync<T>(Func<IStoreWriter, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        UnitOfWorkScope.ThrowIfActive();
        if (_writerLoop is null)
        {
            throw new InvalidOperationException("Call InitializeAsync before writing.");
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }

        var request = new WriteRequest<T>(work, cancellationToken);
        if (!_queue.Writer.TryWrite(request))
        {
            throw new ObjectDisposedException(nameof(SqliteResourceStore));
        }

        return request.Task;
    }

    /// <summary>Finishes the queued writes, then closes the database.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _queue.Writer.TryComplete();
        await _initializeGate.WaitAsync();
        try
        {
            if (_writerLoop is not null)
            {
                await _writerLoop;
            }

            if (_groupCommit is not null)
            {
                await _groupCommit.DisposeAsync();
            }
        }
        finally
        {
            _initializeGate.Release();
        }

        // Pooled read connections would keep the file open (and a reopened store would share them).
        using var readConnection = new SqliteConnection(_readConnectionString);
        SqliteConnection.ClearPool(readConnection);
    }

    private static async Task ConfigureWriterAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using (var command = connection.CreateCommand("PRAGMA journal_mode = WAL"))
        {
            var mode = (string?)await command.ExecuteScalarAsync(cancellationToken);
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException(
                    $"SQLite refused WAL mode for {connection.DataSource} (journal mode is '{mode}'); put the data directory on a local file system.");
            }
        }

        // FULL: the WAL is fsynced at every commit, so an acknowledged write survives power loss.
        var busyMilliseconds = connection.DefaultTimeout * 1000;
        await connection.ExecuteAsync(
            string.Create(CultureInfo.InvariantCulture, $"PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {busyMilliseconds};"),
            cancellationToken);
    }

    private async Task RunWriterLoopAsync()
    {
        var batch = new List<WriteRequest>(Math.Min(_options.MaxBatchSize, 1024));
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync())
        {
            while (batch.Count < _options.MaxBatchSize && reader.TryRead(out var request))
            {
                batch.Add(request);
            }

            var wrote = await _groupCommit!.RunAsync(batch);
            batch.Clear();
            if (wrote)
            {
                CommitNotifier.Raise(Committed);
            }
        }
    }

    private async Task<T> ReadAsync<T>(Func<DbConnection, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await using var connection = new SqliteConnection(_readConnectionString);
        await connection.OpenAsync(cancellationToken);
        return await read(connection, cancellationToken);
    }
}
