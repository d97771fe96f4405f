using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Nimbus.Storage.Engine;

/// <summary>
/// Reads of the object index, on a small pool of read-only connections with prepared statements (WAL lets
/// them run beside the committer). Every method is a point lookup or a bounded index range scan.
/// </summary>
internal sealed class IndexReader : IDisposable
{
    private readonly string _path;
    private readonly ConcurrentBag<Connection> _pool = [];
    private int _disposed;

    public IndexReader(string path) => _path = path;

    private const string RecordColumns = "size, etag, modified, meta, segments, parts, corrupt, checksum, version, latest, marker";

    /// <summary>The current version of a key (it may be a delete marker), or null.</summary>
    public ObjectRecord? GetObject(string bucket, byte[] key)
    {
        var c = Rent();
        try
        {
            var command = c.Prepare("get", $"SELECT {RecordColumns} FROM objects WHERE bucket = $b AND key = $k AND latest = 1", "$b", "$k");
            command.Parameters[0].Value = bucket;
            command.Parameters[1].Value = key;
            return ReadRecord(command, bucket, key);
        }
        finally
        {
            Return(c);
        }
    }

    /// <summary>One version of a key (it may be a delete marker), or null.</summary>
    public ObjectRecord? GetVersion(string bucket, byte[] key, string version)
    {
        var c = Rent();
        try
        {
            var command = c.Prepare("get-version", $"SELECT {RecordColumns} FROM objects WHERE bucket = $b AND key = $k AND version = $v", "$b", "$k", "$v");
            command.Parameters[0].Value = bucket;
            command.Parameters[1].Value = key;
            command.Parameters[2].Value = version;
            return ReadRecord(command, bucket, key);
        }
        finally
        {
            Return(c);
        }
    }

    /// <summary>
    /// Versions of a bucket in ListObjectVersions order (key ascending, newest first): those of
    /// <paramref name="key"/> older than row <paramref name="belowRow"/> when given, else from
    /// <paramref name="key"/> (inclusive) on, up to <paramref name="upper"/> (exclusive), at most <paramref name="limit"/>.
    /// </summary>
    public List<ListedVersion> ListVersions(string bucket, byte[] key, long? belowRow, byte[]? upper, int limit)
    {
        var c = Rent();
        try
        {
            SqliteCommand command;
            if (belowRow is { } row)
            {
                command = c.Prepare("versions-key", "SELECT rowid, key, version, latest, marker, size, etag, modified FROM objects WHERE bucket = $b AND key = $k AND rowid < $r ORDER BY rowid DESC LIMIT $n", "$b", "$k", "$n", "$r");
                command.Parameters[3].Value = row;
            }
            else if (upper is null)
            {
                command = c.Prepare("versions", "SELECT rowid, key, version, latest, marker, size, etag, modified FROM objects WHERE bucket = $b AND key >= $k ORDER BY key, rowid DESC LIMIT $n", "$b", "$k", "$n");
            }
            else
            {
                command = c.Prepare("versions-bounded", "SELECT rowid, key, version, latest, marker, size, etag, modified FROM objects WHERE bucket = $b AND key >= $k AND key < $hi ORDER BY key, rowid DESC LIMIT $n", "$b", "$k", "$n", "$hi");
                command.Parameters[3].Value = upper;
            }

            command.Parameters[0].Value = bucket;
            command.Parameters[1].Value = key;
            command.Parameters[2].Value = limit;
            var items = new List<ListedVersion>(Math.Min(limit, 1024));
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                items.Add(new ListedVersion(
                    reader.GetInt64(0), (byte[])reader.GetValue(1), reader.GetString(2), reader.GetInt32(3) != 0, reader.GetInt32(4) != 0,
                    reader.GetInt64(5), reader.GetString(6), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7))));
            }

            return items;
        }
        finally
        {
            Return(c);
        }
    }

    /// <summary>The checksums of a multipart object's parts (null entries for parts without one); null when none were recorded.</summary>
    public ObjectChecksum?[]? GetPartChecksums(string bucket, byte[] key, string version)
    {
        var c = Rent();
        try
        {
            var command = c.Prepare("part-checksums", "SELECT part_checksums FROM objects WHERE bucket = $b AND key = $k AND version = $v", "$b", "$k", "$v");
            command.Parameters[0].Value = bucket;
            command.Parameters[1].Value = key;
            command.Parameters[2].Value = version;
            return command.ExecuteScalar() is string text ? ObjectChecksum.DecodeList(text) : null;
        }
        finally
        {
            Return(c);
        }
    }

    /// <summary>The row of a version, for a version-id-marker; null when there is none.</summary>
    public long? RowOf(string bucket, byte[] key, string version)
    {
        var c = Rent();
        try
        {
            var command = c.Prepare("row-of", "SELECT rowid FROM objects WHERE bucket = $b AND key = $k AND version = $v", "$b", "$k", "$v");
            command.Parameters[0].Value = bucket;
            command.Parameters[1].Value = key;
            command.Parameters[2].Value = version;
            return command.ExecuteScalar() is long row ? row : null;
        }
        finally
        {
            Return(c);
        }
    }

    private static ObjectRecord? ReadRecord(SqliteCommand command, string bucket, byte[] key)
    {
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        return new ObjectRecord
        {
            Bucket = bucket,
            Key = key,
            Size = reader.GetInt64(0),
            ETag = reader.GetString(1),
            LastModified = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
            Meta = JsonSerializer.Deserialize(reader.GetString(3), StorageJsonContext.Default.ObjectMeta) ?? ObjectMeta.Empty,
            Segments = Segment.Decode((byte[])reader.GetValue(4)),
            PartCount = reader.GetInt32(5),
            Corrupt = reader.GetInt32(6) != 0,
            Checksum = reader.IsDBNull(7) ? null : ObjectChecksum.Decode(reader.GetString(7)),
            VersionId = reader.GetString(8),
            IsLatest = reader.GetInt32(9) != 0,
            IsDeleteMarker = reader.GetInt32(10) != 0,
        };
    }

    /// <summary>Up to <paramref name="limit"/> keys of a bucket from <paramref name="lower"/> (inclusive) to <paramref name="upper"/> (exclusive, null for none), ascending.</summary>
    public List<ListedObject> ListObjects(string bucket, byte[] lower, byte[]? upper, int limit)
    {
        var c = Rent();
        try
        {
            var command = upper is null
                ? c.Prepare("list", "SELECT key, size, etag, modified FROM objects WHERE bucket = $b AND key >= $lo AND latest = 1 AND marker = 0 ORDER BY key LIMIT $n", "$b", "$lo", "$n")
                : c.Prepare("list-bounded", "SELECT key, size, etag, modified FROM objects WHERE bucket = $b AND key >= $lo AND key < $hi AND latest = 1 AND marker = 0 ORDER BY key LIMIT $n", "$b", "$lo", "$n", "$hi");
            command.Parameters[0].Value = bucket;
            command.Parameters[1].Value = lower;
            command.Parameters[2].Value = limit;
            if (upper is not null)
            {
                command.Parameters[3].Value = upper;
            }

            var items = new List<ListedObject>(Math.Min(limit, 1024));
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                items.Add(new ListedObject((byte[])reader.GetValue(0), reader.GetInt64(1), reader.GetString(2), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3))));
            }

            return items;
        }
        finally
        {
            Return(c);
        }
    }

    public bool HasObjectsOrUploads(string bucket)
    {
        var c = Rent();
        try
        {
            var command = c.Prepare("any", "SELECT EXISTS(SELECT 1 FROM objects WHERE bucket = $b) OR EXISTS(SELECT 1 FROM uploads WHERE bucket = $b)", "$b");
            command.Parameters[0].Value = bucket;
            return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) != 0;
        }
        finally
        {
            Return(c);
        }
    }

    public UploadRecord? GetUpload(string uploadId)
    {
        var c = Rent();
        try
        {
            var command = c.Prepare("upload", "SELECT bucket, key, initiated, meta, initiator, checksum FROM uploads WHERE upload_id = $u", "$u");
            command.Parameters[0].Value = uploadId;
            using var reader = command.ExecuteReader();
            return reader.Read() ? ReadUpload(uploadId, reader, 0) : null;
        }
        finally
        {
            Return(c);
        }
    }

    /// <summary>Uploads of a bucket in (key, initiated, id) order starting at a key (inclusive), at most <paramref name="limit"/>.</summary>
    public List<UploadRecord> ListUploads(string bucket, byte[] lower, byte[]? upper, int limit)
    {
        var c = Rent();
        try
        {
            var command = upper is null
                ? c.Prepare("uploads", "SELECT upload_id, bucket, key, initiated, meta, initiator, checksum FROM uploads WHERE bucket = $b AND key >= $lo ORDER BY key, initiated, upload_id LIMIT $n", "$b", "$lo", "$n")
                : c.Prepare("uploads-bounded", "SELECT upload_id, bucket, key, initiated, meta, initiator, checksum FROM uploads WHERE bucket = $b AND key >= $lo AND key < $hi ORDER BY key, initiated, upload_id LIMIT $n", "$b", "$lo", "$n", "$hi");
            command.Parameters[0].Value = bucket;
            command.Parameters[1].Value = lower;
            command.Parameters[2].Value = limit;
            if (upper is not null)
            {
                command.Parameters[3].Value = upper;
            }

            var items = new List<UploadRecord>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                items.Add(ReadUpload(reader.GetString(0), reader, 1));
            }

            return items;
        }
        finally
        {
            Return(c);
        }
    }

    public List<PartRecord> ListParts(string uploadId, int afterPart, int limit)
    {
        var c = Rent();
        try
        {
            var command = c.Prepare("parts", "SELECT part_number, size, etag, modified, segment, checksum FROM parts WHERE upload_id = $u AND part_number > $p ORDER BY part_number LIMIT $n", "$u", "$p", "$n");
            command.Parameters[0].Value = uploadId;
            command.Parameters[1].Value = afterPart;
            command.Parameters[2].Value = limit;
            var items = new List<PartRecord>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                items.Add(IndexWriter.ReadPart(reader));
            }

            return items;
        }
        finally
        {
            Return(c);
        }
    }

    /// <summary>Object versions (not delete markers) after row <paramref name="afterRow"/>, for the scrubber: (rowid, bucket, key, version).</summary>
    public List<(long Row, string Bucket, byte[] Key, string Version)> ScanObjects(long afterRow, int limit)
    {
        var c = Rent();
        try
        {
            var command = c.Prepare("scan", "SELECT rowid, bucket, key, version FROM objects WHERE rowid > $r AND marker = 0 ORDER BY rowid LIMIT $n", "$r", "$n");
            command.Parameters[0].Value = afterRow;
            command.Parameters[1].Value = limit;
            var items = new List<(long, string, byte[], string)>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                items.Add((reader.GetInt64(0), reader.GetString(1), (byte[])reader.GetValue(2), reader.GetString(3)));
            }

            return items;
        }
        finally
        {
            Return(c);
        }
    }

    public bool IsKnownDataFile(DataId id)
    {
        var c = Rent();
        try
        {
            var command = c.Prepare("known", "SELECT EXISTS(SELECT 1 FROM data_files WHERE id = $i)", "$i");
            command.Parameters[0].Value = id.ToBytes();
            return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) != 0;
        }
        finally
        {
            Return(c);
        }
    }

    public void Dispose()
    {
        Interlocked.Exchange(ref _disposed, 1);
        while (_pool.TryTake(out var c))
        {
            c.Dispose();
        }
    }

    private static UploadRecord ReadUpload(string uploadId, SqliteDataReader reader, int first) => new()
    {
        UploadId = uploadId,
        Bucket = reader.GetString(first),
        Key = (byte[])reader.GetValue(first + 1),
        Initiated = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(first + 2)),
        Meta = JsonSerializer.Deserialize(reader.GetString(first + 3), StorageJsonContext.Default.ObjectMeta) ?? ObjectMeta.Empty,
        Initiator = reader.GetString(first + 4),
        Checksum = reader.IsDBNull(first + 5) ? null : ObjectChecksum.Decode(reader.GetString(first + 5)),
    };

    private Connection Rent() => _pool.TryTake(out var c) ? c : new Connection(IndexSchema.Open(_path, write: false));

    private void Return(Connection c)
    {
        if (Volatile.Read(ref _disposed) != 0 || _pool.Count >= 64)
        {
            c.Dispose();
            return;
        }

        _pool.Add(c);
    }

    /// <summary>A read connection and its prepared statements.</summary>
    private sealed class Connection(SqliteConnection connection) : IDisposable
    {
        private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

        public SqliteCommand Prepare(string name, string sql, params string[] parameters)
        {
            if (_commands.TryGetValue(name, out var command))
            {
                return command;
            }

            command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var p in parameters)
            {
                command.Parameters.Add(new SqliteParameter(p, null));
            }

            command.Prepare();
            _commands[name] = command;
            return command;
        }

        public void Dispose()
        {
            foreach (var command in _commands.Values)
            {
                command.Dispose();
            }

            connection.Dispose();
        }
    }
}
