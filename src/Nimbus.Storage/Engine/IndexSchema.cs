using Microsoft.Data.Sqlite;

namespace Nimbus.Storage.Engine;

/// <summary>
/// The object index: a SQLite database of its own in the storage directory (WAL, synchronous FULL). Keys are
/// BLOBs of their UTF-8 bytes, so SQLite's memcmp order is S3's lexicographic byte order and listing is an
/// index range scan. <c>data_files</c> names every data file the index references (doomed ones are unlinked
/// after the commit that dropped them), which is what start-up cleaning compares the disk with.
/// </summary>
/// <remarks>
/// <c>objects</c> holds every version of every key: <c>version</c> is <c>null</c> for the null version (buckets
/// never versioned, or suspended), <c>latest</c> marks the current version of a key (a partial unique index,
/// which GET and listing use), <c>marker</c> a delete marker, and the rowid orders a key's versions (newer is
/// higher), which is ListObjectVersions' order within a key. <c>segments</c> carries, for an object of at most
/// <see cref="IncomingData.InlineLimit"/> bytes, the object's bytes themselves (<see cref="Segment.Inline"/>).
/// </remarks>
internal static class IndexSchema
{
    public const string Ddl = """
        CREATE TABLE IF NOT EXISTS objects(
            bucket TEXT NOT NULL,
            key BLOB NOT NULL,
            version TEXT NOT NULL,
            latest INTEGER NOT NULL,
            marker INTEGER NOT NULL DEFAULT 0,
            size INTEGER NOT NULL,
            etag TEXT NOT NULL,
            modified INTEGER NOT NULL,
            meta TEXT NOT NULL,
            segments BLOB NOT NULL,
            parts INTEGER NOT NULL DEFAULT 0,
            corrupt INTEGER NOT NULL DEFAULT 0,
            checksum TEXT,
            part_checksums TEXT,
            UNIQUE(bucket, key, version));
        CREATE UNIQUE INDEX IF NOT EXISTS objects_latest ON objects(bucket, key) WHERE latest = 1;
        CREATE TABLE IF NOT EXISTS data_files(
            id BLOB PRIMARY KEY,
            doomed INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS data_files_doomed ON data_files(doomed) WHERE doomed = 1;
        CREATE TABLE IF NOT EXISTS uploads(
            upload_id TEXT PRIMARY KEY,
            bucket TEXT NOT NULL,
            key BLOB NOT NULL,
            initiated INTEGER NOT NULL,
            meta TEXT NOT NULL,
            initiator TEXT NOT NULL,
            checksum TEXT);
        CREATE INDEX IF NOT EXISTS uploads_by_key ON uploads(bucket, key, initiated, upload_id);
        CREATE TABLE IF NOT EXISTS parts(
            upload_id TEXT NOT NULL,
            part_number INTEGER NOT NULL,
            size INTEGER NOT NULL,
            etag TEXT NOT NULL,
            modified INTEGER NOT NULL,
            segment BLOB NOT NULL,
            checksum TEXT,
            PRIMARY KEY(upload_id, part_number)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS bucket_usage(
            bucket TEXT PRIMARY KEY,
            account TEXT NOT NULL,
            objects INTEGER NOT NULL,
            bytes INTEGER NOT NULL);
        """;

    public static SqliteConnection Open(string path, bool write)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = write ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadWrite,
            Pooling = false,
        }.ToString());
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = write
            ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000; PRAGMA cache_size=-65536;"
            : "PRAGMA busy_timeout=10000; PRAGMA query_only=1; PRAGMA cache_size=-16384;";
        pragma.ExecuteNonQuery();
        return connection;
    }

    public static void Create(SqliteConnection connection)
    {
        // Stores created before versioning had one row per key: move them aside, copy them in as null versions.
        var unversioned = TableExists(connection, "objects") && !HasColumn(connection, "objects", "version");
        if (unversioned)
        {
            if (!HasColumn(connection, "objects", "checksum"))
            {
                Execute(connection, "ALTER TABLE objects ADD COLUMN checksum TEXT");
            }

            Execute(connection, "ALTER TABLE objects RENAME TO objects_unversioned");
        }

        Execute(connection, Ddl);
        if (unversioned)
        {
            Execute(
                connection,
                "INSERT INTO objects(bucket, key, version, latest, marker, size, etag, modified, meta, segments, parts, corrupt, checksum) "
                + "SELECT bucket, key, 'null', 1, 0, size, etag, modified, meta, segments, parts, corrupt, checksum FROM objects_unversioned; "
                + "DROP TABLE objects_unversioned;");
        }

        // Stores created before part checksums were kept with completed objects (null: none recorded).
        if (!HasColumn(connection, "objects", "part_checksums"))
        {
            Execute(connection, "ALTER TABLE objects ADD COLUMN part_checksums TEXT");
        }

        // Stores created before checksums were kept: add the columns (null: no checksum recorded).
        foreach (var table in (string[])["uploads", "parts"])
        {
            if (!HasColumn(connection, table, "checksum"))
            {
                using var alter = connection.CreateCommand();
                alter.CommandText = $"ALTER TABLE {table} ADD COLUMN checksum TEXT";
                alter.ExecuteNonQuery();
            }
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static bool TableExists(SqliteConnection connection, string table)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT EXISTS(SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $t)";
        command.Parameters.AddWithValue("$t", table);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) != 0;
    }

    private static bool HasColumn(SqliteConnection connection, string table, string column)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT EXISTS(SELECT 1 FROM pragma_table_info($t) WHERE name = $c)";
        command.Parameters.AddWithValue("$t", table);
        command.Parameters.AddWithValue("$c", column);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) != 0;
    }
}
