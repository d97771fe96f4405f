using Npgsql;
using Nimbus.Store.Sql;

namespace Nimbus.Store.Postgres;

/// <summary>The PostgreSQL schema as an append-only list of migrations; <c>schema_version</c> records which ran.</summary>
internal static class PostgresSchema
{
    private static readonly string[] Migrations =
    [
        // JSON columns are text, not jsonb: jsonb reorders keys and drops duplicates, and the
        // spec must read back exactly as written. Times are UTC ticks (see StoreTime).
        """
        CREATE TABLE resources (
            pk bigserial PRIMARY KEY,
            id text NOT NULL UNIQUE,
            kind text NOT NULL,
            account text NOT NULL,
            region text NOT NULL,
            name text NOT NULL,
            spec text NOT NULL,
            status text NOT NULL,
            tags text NOT NULL,
            version bigint NOT NULL,
            created_at bigint NOT NULL,
            updated_at bigint NOT NULL,
            deletion_requested_at bigint,
            UNIQUE (account, kind, name)
        );
        CREATE INDEX resources_by_kind ON resources (kind, pk);
        CREATE TABLE resource_tags (
            resource_pk bigint NOT NULL REFERENCES resources (pk) ON DELETE CASCADE,
            key text NOT NULL,
            value text NOT NULL,
            PRIMARY KEY (resource_pk, key)
        );
        CREATE INDEX resource_tags_by_tag ON resource_tags (key, value, resource_pk);
        CREATE TABLE changes (
            seq bigserial PRIMARY KEY,
            resource_id text NOT NULL,
            kind text NOT NULL,
            account text NOT NULL,
            type bigint NOT NULL,
            version bigint NOT NULL,
            at bigint NOT NULL
        );
        CREATE TABLE kv (
            ns text NOT NULL,
            key text NOT NULL,
            value bytea NOT NULL,
            PRIMARY KEY (ns, key)
        );
        """,
    ];

    public static int LatestVersion => Migrations.Length;

    /// <summary>Applies the migrations the database lacks in one transaction; replicas starting together take turns.</summary>
    public static async Task MigrateAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync($"SELECT pg_advisory_xact_lock({PostgresDialect.SchemaLock})", cancellationToken);
        await connection.ExecuteAsync("CREATE TABLE IF NOT EXISTS schema_version (version bigint NOT NULL PRIMARY KEY)", cancellationToken);
        long current;
        await using (var read = connection.CreateCommand("SELECT COALESCE(MAX(version), 0) FROM schema_version"))
        {
            current = (long)(await read.ExecuteScalarAsync(cancellationToken))!;
        }

        if (current > LatestVersion)
        {
            throw new InvalidOperationException(
                $"The database {connection.Database} has schema version {current}, newer than this Nimbus knows ({LatestVersion}); run a newer Nimbus.");
        }

        for (var version = current + 1; version <= LatestVersion; version++)
        {
            await connection.ExecuteAsync(Migrations[version - 1], cancellationToken);
            await using var record = connection.CreateCommand("INSERT INTO schema_version (version) VALUES (@version)")
                .With("@version", version);
            await record.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }
}
