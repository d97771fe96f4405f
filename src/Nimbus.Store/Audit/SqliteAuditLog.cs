using System.Data.Common;
using Microsoft.Data.Sqlite;
using Nimbus.Core.Audit;
using SQLitePCL;
using Nimbus.Store.Sql;

namespace Nimbus.Store.Audit;

/// <summary>
/// The audit log in a SQLite file of its own next to the resource store's (<c>nimbus.db</c> →
/// <c>nimbus.audit.db</c>), so that appending every request's record never holds the write lock that
/// resource writes wait for. One writer connection kept open (the batch writer is the only caller),
/// fresh read-only connections per query. Records an older version kept inside the resource store's
/// file are moved over once, at start.
/// </summary>
public sealed class SqliteAuditLog : SqlAuditLog
{
    private readonly string _writeConnectionString;
    private readonly string _readConnectionString;
    private readonly SemaphoreSlim _writerGate = new(1, 1);
    private SqliteConnection? _writer;
    private sqlite3_stmt? _insert;
    private sqlite3_stmt? _insertGroup;
    private readonly string? _legacyPath;
    private int _disposed;

    /// <param name="path">Required. Path of the audit database file.</param>
    /// <param name="busyTimeout">Optional. How long a write waits for the file's lock; default 5 seconds.</param>
    /// <param name="legacyPath">Optional. A database that may still hold an <c>audit_events</c> table from before the audit log had its own file; its records are moved over at start.</param>
    public SqliteAuditLog(string path, TimeSpan? busyTimeout = null, string? legacyPath = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        DatabasePath = Path.GetFullPath(path);
        _legacyPath = legacyPath is null ? null : Path.GetFullPath(legacyPath);
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

    /// <summary>The audit file that belongs to a resource store file: <c>nimbus.db</c> → <c>nimbus.audit.db</c>.</summary>
    public static string PathFor(string resourceStorePath) => Path.ChangeExtension(resourceStorePath, ".audit.db");

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
        if (_legacyPath is not null && File.Exists(_legacyPath))
        {
            await MoveLegacyRecordsAsync(_legacyPath, cancellationToken).ConfigureAwait(false);
        }
    }

    // Copies keep their sequence numbers (INSERT OR IGNORE), so an interrupted move repeated at the
    // next start neither loses nor duplicates a record; the old table is dropped only after the copy.
    private async Task MoveLegacyRecordsAsync(string legacyPath, CancellationToken cancellationToken)
    {
        var connection = (SqliteConnection)await OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using (var attach = connection.CreateCommand())
            {
                attach.CommandText = "ATTACH DATABASE @path AS legacy";
                attach.Parameters.AddWithValue("@path", legacyPath);
                await attach.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            try
            {
                await using var probe = connection.CreateCommand();
                probe.CommandText = "SELECT count(*) FROM legacy.sqlite_master WHERE type = 'table' AND name = 'audit_events'";
                if (Convert.ToInt64(await probe.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) == 0)
                {
                    return;
                }

                await connection.ExecuteAsync($"INSERT OR IGNORE INTO main.audit_events ({Columns}) SELECT {Columns} FROM legacy.audit_events ORDER BY seq", cancellationToken).ConfigureAwait(false);
                await connection.ExecuteAsync("DROP TABLE legacy.audit_events", cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await connection.ExecuteAsync("DETACH DATABASE legacy", CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            await ReleaseWriterAsync(connection).ConfigureAwait(false);
        }
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

    // The hot path of every request's record: statements prepared once per writer connection and bound
    // by position through SQLitePCL (ADO.NET binding looks each parameter up by name on every execution,
    // which cost more than the insert itself). Rows go in groups of GroupRows through one multi-row
    // statement: each statement execution has a fixed cost (the VDBE program's start and reset, the API
    // mutex, AUTOINCREMENT's sqlite_sequence update) that a group pays once. Text is bound as UTF-16
    // spans, which SQLite converts while copying, so binding allocates nothing.
    private const int GroupRows = 16;
    private const int ColumnsPerRow = 17;

    protected override Task InsertAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken)
    {
        var db = ((SqliteConnection)connection).Handle ?? throw new InvalidOperationException("The audit writer connection is not open.");
        var index = 0;
        if (events.Count >= GroupRows)
        {
            var group = _insertGroup ??= Prepare(db, GroupRows);
            for (; index + GroupRows <= events.Count; index += GroupRows)
            {
                for (var row = 0; row < GroupRows; row++)
                {
                    BindRow(group, row * ColumnsPerRow, events[index + row]);
                }

                Step(db, group);
            }
        }

        if (index < events.Count)
        {
            var single = _insert ??= Prepare(db, 1);
            for (; index < events.Count; index++)
            {
                BindRow(single, 0, events[index]);
                Step(db, single);
            }
        }

        return Task.CompletedTask;
    }

    private static sqlite3_stmt Prepare(sqlite3 db, int rows)
    {
        var sql = new System.Text.StringBuilder(InsertInto);
        for (var row = 0; row < rows; row++)
        {
            sql.Append(row == 0 ? "(" : ", (");
            for (var column = 1; column <= ColumnsPerRow; column++)
            {
                sql.Append(column == 1 ? "?" : ", ?").Append(row * ColumnsPerRow + column);
            }

            sql.Append(')');
        }

        Check(db, raw.sqlite3_prepare_v2(db, sql.ToString(), out var statement));
        return statement;
    }

    // Parameters offset+1 .. offset+17, in the column order of InsertInto.
    private static void BindRow(sqlite3_stmt stmt, int offset, AuditEvent e)
    {
        raw.sqlite3_bind_int64(stmt, offset + 1, e.Time.UtcTicks);
        BindText(stmt, offset + 2, e.RequestId);
        BindText(stmt, offset + 3, e.Account);
        BindText(stmt, offset + 4, e.Principal);
        BindText(stmt, offset + 5, e.UserName);
        BindText(stmt, offset + 6, e.SessionName);
        BindText(stmt, offset + 7, e.AccessKeyId);
        BindText(stmt, offset + 8, e.SourceIp);
        BindText(stmt, offset + 9, e.UserAgent);
        BindText(stmt, offset + 10, e.Method);
        BindText(stmt, offset + 11, e.Path);
        BindText(stmt, offset + 12, e.Action);
        BindText(stmt, offset + 13, ResourcesJson(e));
        BindText(stmt, offset + 14, e.Outcome);
        raw.sqlite3_bind_int64(stmt, offset + 15, e.Status);
        BindText(stmt, offset + 16, e.ErrorCode);
        BindText(stmt, offset + 17, e.RequestParameters);
    }

    private static void Step(sqlite3 db, sqlite3_stmt stmt)
    {
        var rc = raw.sqlite3_step(stmt);
        raw.sqlite3_reset(stmt);
        if (rc != raw.SQLITE_DONE)
        {
            Check(db, rc);
        }
    }

    private static void BindText(sqlite3_stmt stmt, int index, string? value)
    {
        if (value is null)
        {
            raw.sqlite3_bind_null(stmt, index);
        }
        else if (value.Length == 0)
        {
            // An empty span pins as a null pointer, which SQLite would store as NULL.
            raw.sqlite3_bind_text(stmt, index, string.Empty);
        }
        else
        {
            raw.sqlite3_bind_text16(stmt, index, value.AsSpan());
        }
    }

    private static void Check(sqlite3 db, int rc)
    {
        if (rc != raw.SQLITE_OK && rc != raw.SQLITE_DONE && rc != raw.SQLITE_ROW)
        {
            throw new SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), rc);
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
            _insert?.Dispose();
            _insert = null;
            _insertGroup?.Dispose();
            _insertGroup = null;
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
