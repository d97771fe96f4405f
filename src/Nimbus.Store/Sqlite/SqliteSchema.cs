using Microsoft.Data.Sqlite;
using Nimbus.Store.Sql;

namespace Nimbus.Store.Sqlite;

/// <summary>The SQLite schema as an append-only list of migrations; <c>schema_version</c> records which ran.</summary>
internal static class SqliteSchema
{
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE resources (
            pk INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            account TEXT NOT NULL,
            region TEXT NOT NULL,
            name TEXT NOT NULL,
            spec TEXT NOT NULL,
            status TEXT NOT NULL,
            tags TEXT NOT NULL,
            version INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            deletion_requested_at INTEGER,
            UNIQUE (account, kind, name)
        );
        CREATE INDEX resources_by_kind ON resources (kind, pk);
        CREATE TABLE resource_tags (
            resource_pk INTEGER NOT NULL REFERENCES resources (pk) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (resource_pk, key)
        ) WITHOUT ROWID;
        CREATE INDEX resource_tags_by_tag ON resource_tags (key, value, resource_pk);
        CREATE TABLE changes (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            resource_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            account TEXT NOT NULL,
            type INTEGER NOT NULL,
            version INTEGER NOT NULL,
            at INTEGER NOT NULL
        );
        CREATE TABLE kv (
            ns TEXT NOT NULL,
            key TEXT NOT NULL,
            value BLOB NOT NULL,
            PRIMARY KEY (ns, key)
        ) WITHOUT ROWID;
        """,
    ];

    public static int LatestVersion => Migrations.Length;

    /// <summary>Applies the migrations the database lacks, all in one transaction. Runs on the writer connection before the writer loop starts.</summary>
    public static async Task MigrateAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync("BEGIN IMMEDIATE", cancellationToken);
        try
        {
            await connection.ExecuteAsync("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL PRIMARY KEY)", cancellationToken);
            long current;
            await using (var read = connection.CreateCommand("SELECT COALESCE(MAX(version), 0) FROM schema_version"))
            {
                current = (long)(await read.ExecuteScalarAsync(cancellationToken))!;
            }

            if (current > LatestVersion)
            {
                throw new InvalidOperationException(
                    $"The database {connection.DataSource} has schema version {current}, newer than this Nimbus knows ({LatestVersion}); run a newer Nimbus.");
            }

            for (var version = (int)current + 1; version <= LatestVersion; version++)
            {
                await connection.ExecuteAsync(Migrations[version - 1], cancellationToken);
                await using var record = connection.CreateCommand("INSERT INTO schema_version (version) VALUES (@version)")
                    .With("@version", version);
                await record.ExecuteNonQueryAsync(cancellationToken);
            }

            await connection.ExecuteAsync("COMMIT", CancellationToken.None);
        }
        catch
        {
            await connection.ExecuteAsync("ROLLBACK", CancellationToken.None);
            throw;
        }
    }
}
