using System.Data.Common;
using Microsoft.Data.Sqlite;
using Nimbus.Store.Sql;

namespace Nimbus.Store.Audit;

/// <summary>
/// The audit log in the SQLite file of the resource store, on connections of its own: one writer
/// connection kept open (the batch writer is the only caller), fresh read-only connections per query.
/// WAL mode lets both stores' writers and every reader share the file; a writer waits for the other
/// up to the busy timeout.
/// </summary>
public sealed class SqliteAuditLog : SqlAuditLog
{
    private readonly string _writeConnectionString;
    private readonly string _readConnectionString;
    private readonly SemaphoreSlim _writerGate = new(1, 1);
    private SqliteConnection? _writer;
    private int _disposed;

    /// <param name="path">Required. Path of the database file (the resource store's <c>nimbus.db</c>).</param>
    /// <param name="busyTimeout">Optional. How long a write waits for the file's lock; default 5 seconds.</param>
    public SqliteAuditLog(string path, TimeSpan? busyTimeout = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        DatabasePath = Path.GetFullPath(path);
        var timeoutSeconds = (int)Math.Ceiling((busyTimeout ?? TimeSpan.FromSeconds(5)).TotalSeconds);
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
            Pooling = false,
            DefaultTimeout = timeoutSeconds,
        }.ToString();
    }

    public string DatabasePath { get; }

    protected override string SchemaSql =>
        """
        CREATE TABLE IF NOT EXISTS audit_events (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            time INTEGER NOT NULL,
            request_id TEXT NOT NULL,
            account TEXT,
            principal TEXT,
            user_name TEXT,
            session_name TEXT,
            access_key_id TEXT,
            source_ip TEXT,
            user_agent TEXT,
            method TEXT NOT NULL,
            path TEXT NOT NULL,
            action TEXT,
            resources TEXT NOT NULL,
            outcome TEXT NOT NULL,
            status INTEGER NOT NULL,
            error_code TEXT,
            request_parameters TEXT
        );
        CREATE INDEX IF NOT EXISTS audit_events_by_time ON audit_events (time, seq);
        CREATE INDEX IF NOT EXISTS audit_events_by_account ON audit_events (account, time, seq);
        """;

    protected override string PositionFunction => "instr";

    public override async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(DatabasePath);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        await base.InitializeAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async ValueTask<DbConnection> OpenWriterAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await _writerGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_writer is null)
            {
                var connection = new SqliteConnection(_writeConnectionString);
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);

                // Same durability as the resource store: WAL, fsynced at every commit.
                await connection.ExecuteAsync("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;", cancellationToken).ConfigureAwait(false);
                _writer = connection;
            }

            return _writer;
        }
        catch
        {
            _writerGate.Release();
            throw;
        }
    }

    protected override ValueTask ReleaseWriterAsync(DbConnection connection)
    {
        _writerGate.Release();
        return ValueTask.CompletedTask;
    }

    // IMMEDIATE takes the write lock up front, so the batch waits its turn (busy timeout) instead of
    // failing when it would have to upgrade a read lock.
    protected override ValueTask<DbTransaction> BeginAsync(DbConnection connection, CancellationToken cancellationToken) =>
        ValueTask.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));

    protected override async ValueTask<DbConnection> OpenReaderAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var connection = new SqliteConnection(_readConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _writerGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_writer is not null)
            {
                await _writer.DisposeAsync().ConfigureAwait(false);
                _writer = null;
            }
        }
        finally
        {
            _writerGate.Release();
        }
    }
}
