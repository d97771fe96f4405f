using System.Data.Common;
using Npgsql;

namespace Nimbus.Store.Audit;

/// <summary>The audit log in the resource store's PostgreSQL database, shared by every control-plane replica.</summary>
public sealed class PostgresAuditLog : SqlAuditLog
{
    private readonly NpgsqlDataSource _dataSource;
    private int _disposed;

    /// <param name="connectionString">Required. The resource store's Npgsql connection string.</param>
    public PostgresAuditLog(string connectionString)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        _dataSource = NpgsqlDataSource.Create(connectionString);
    }

    // Replicas starting together may race on CREATE ... IF NOT EXISTS (it is not atomic against a
    // concurrent create); the advisory lock serializes them.
    protected override string SchemaSql =>
        """
        SELECT pg_advisory_xact_lock(7364100);
        CREATE TABLE IF NOT EXISTS audit_events (
            seq bigserial PRIMARY KEY,
            time bigint NOT NULL,
            request_id text NOT NULL,
            account text,
            principal text,
            user_name text,
            session_name text,
            access_key_id text,
            source_ip text,
            user_agent text,
            method text NOT NULL,
            path text NOT NULL,
            action text,
            resources text NOT NULL,
            outcome text NOT NULL,
            status bigint NOT NULL,
            error_code text,
            request_parameters text
        );
        CREATE INDEX IF NOT EXISTS audit_events_by_time ON audit_events (time, seq);
        CREATE INDEX IF NOT EXISTS audit_events_by_account ON audit_events (account, time, seq);
        """;

    protected override string PositionFunction => "strpos";

    public override async Task InitializeAsync(CancellationToken cancellationToken)
    {
        // One transaction, so that the advisory lock covers the DDL.
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var command = new NpgsqlCommand(SchemaSql, connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async ValueTask<DbConnection> OpenWriterAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override ValueTask<DbConnection> OpenReaderAsync(CancellationToken cancellationToken) => OpenWriterAsync(cancellationToken);

    protected override ValueTask ReleaseWriterAsync(DbConnection connection) => connection.DisposeAsync();

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _dataSource.DisposeAsync().ConfigureAwait(false);
    }
}
