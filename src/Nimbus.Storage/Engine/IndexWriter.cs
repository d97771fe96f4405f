using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Nimbus.Storage.Engine;

/// <summary>
/// Index writes inside the committer's transaction (one thread). Records what each unit of work dooms and
/// how it changes usage, so that a unit rolled back to its savepoint leaves neither behind.
/// </summary>
internal sealed class IndexWriter : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private readonly List<DataId> _doomed = [];
    private readonly List<(string Bucket, string Account, long Objects, long Bytes)> _usage = [];
    private SqliteTransaction? _transaction;

    public IndexWriter(SqliteConnection connection) => _connection = connection;

    /// <summary>Data files dropped by the units applied so far in this batch; unlinked after the commit.</summary>
    public List<DataId> Doomed => _doomed;

    /// <summary>Usage deltas of the units applied so far in this batch; applied in memory after the commit.</summary>
    public List<(string Bucket, string Account, long Objects, long Bytes)> UsageDeltas => _usage;

    public (int Doomed, int Usage) Mark() => (_doomed.Count, _usage.Count);

    public void Rewind((int Doomed, int Usage) mark)
    {
        _doomed.RemoveRange(mark.Doomed, _doomed.Count - mark.Doomed);
        _usage.RemoveRange(mark.Usage, _usage.Count - mark.Usage);
    }

    public void Begin(SqliteTransaction transaction)
    {
        _transaction = transaction;
        _doomed.Clear();
        _usage.Clear();
    }

    public void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = _transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>One stored version of a key, as the writer needs it.</summary>
    public readonly record struct VersionRow(long Row, string Version, bool Latest, bool Marker, long Size, Segment[] Segments);

    /// <summary>The current version of a key (possibly a delete marker), or null.</summary>
    public VersionRow? FindLatest(string bucket, byte[] key)
    {
        var command = Prepare("find-latest", "SELECT rowid, version, latest, marker, size, segments FROM objects WHERE bucket = $b AND key = $k AND latest = 1", "$b", "$k");
        command.Parameters[0].Value = bucket;
        command.Parameters[1].Value = key;
        return ReadVersionRow(command);
    }

    /// <summary>One version of a key, or null.</summary>
    public VersionRow? FindVersion(string bucket, byte[] key, string version)
    {
        var command = Prepare("find-version", "SELECT rowid, version, latest, marker, size, segments FROM objects WHERE bucket = $b AND key = $k AND version = $v", "$b", "$k", "$v");
        command.Parameters[0].Value = bucket;
        command.Parameters[1].Value = key;
        command.Parameters[2].Value = version;
        return ReadVersionRow(command);
    }

    /// <summary>
    /// Makes <paramref name="record"/> (an object or a delete marker) the current version of its key. With
    /// <paramref name="replaceNull"/> (buckets never versioned, or suspended) the key's null version, current or
    /// not, is dropped first; otherwise every earlier version stays, noncurrent.
    /// </summary>
    public void PutVersion(ObjectRecord record, string account, bool replaceNull)
    {
        if (replaceNull)
        {
            RemoveVersion(record.Bucket, record.Key, ObjectRecord.NullVersion, account, promote: false);
        }

        var demote = Prepare("demote", "UPDATE objects SET latest = 0 WHERE bucket = $b AND key = $k AND latest = 1", "$b", "$k");
        demote.Parameters[0].Value = record.Bucket;
        demote.Parameters[1].Value = record.Key;
        demote.ExecuteNonQuery();
        var command = Prepare(
            "put",
            "INSERT INTO objects(bucket, key, version, latest, marker, size, etag, modified, meta, segments, parts, corrupt, checksum, part_checksums) VALUES($b, $k, $v, 1, $d, $s, $e, $m, $meta, $seg, $p, 0, $c, $pc)",
            "$b", "$k", "$v", "$d", "$s", "$e", "$m", "$meta", "$seg", "$p", "$c", "$pc");
        command.Parameters[0].Value = record.Bucket;
        command.Parameters[1].Value = record.Key;
        command.Parameters[2].Value = record.VersionId;
        command.Parameters[3].Value = record.IsDeleteMarker ? 1 : 0;
        command.Parameters[4].Value = record.Size;
        command.Parameters[5].Value = record.ETag;
        command.Parameters[6].Value = record.LastModified.ToUnixTimeMilliseconds();
        command.Parameters[7].Value = JsonSerializer.Serialize(record.Meta, StorageJsonContext.Default.ObjectMeta);
        command.Parameters[8].Value = Segment.Encode(record.Segments);
        command.Parameters[9].Value = record.PartCount;
        command.Parameters[10].Value = (object?)ObjectChecksum.Encode(record.Checksum) ?? DBNull.Value;
        command.Parameters[11].Value = (object?)ObjectChecksum.EncodeList(record.PartChecksums) ?? DBNull.Value;
        command.ExecuteNonQuery();
        AddUsage(record.Bucket, account, record.IsDeleteMarker ? 0 : 1, record.Size);
    }

    /// <summary>
    /// Removes one version for good, dooming its data and booking the usage; when it was the current one and
    /// <paramref name="promote"/>, the newest remaining version becomes current. Null when there was no such version.
    /// </summary>
    public VersionRow? RemoveVersion(string bucket, byte[] key, string version, string account, bool promote = true)
    {
        var row = FindVersion(bucket, key, version);
        if (row is not { } found)
        {
            return null;
        }

        var command = Prepare("delete-row", "DELETE FROM objects WHERE rowid = $r", "$r");
        command.Parameters[0].Value = found.Row;
        command.ExecuteNonQuery();
        Doom(found.Segments);
        AddUsage(bucket, account, found.Marker ? 0 : -1, -found.Size);
        if (found.Latest && promote)
        {
            var next = Prepare("promote", "UPDATE objects SET latest = 1 WHERE rowid = (SELECT max(rowid) FROM objects WHERE bucket = $b AND key = $k)", "$b", "$k");
            next.Parameters[0].Value = bucket;
            next.Parameters[1].Value = key;
            next.ExecuteNonQuery();
        }

        return found;
    }

    /// <summary>Sets the metadata (tags, headers) of a version (the current one when <paramref name="version"/> is null) without touching its data; false when absent.</summary>
    public bool UpdateMeta(string bucket, byte[] key, string? version, ObjectMeta meta)
    {
        var command = version is null
            ? Prepare("meta-latest", "UPDATE objects SET meta = $meta WHERE bucket = $b AND key = $k AND latest = 1 AND marker = 0", "$b", "$k", "$meta")
            : Prepare("meta-version", "UPDATE objects SET meta = $meta WHERE bucket = $b AND key = $k AND marker = 0 AND version = $v", "$b", "$k", "$meta", "$v");
        command.Parameters[0].Value = bucket;
        command.Parameters[1].Value = key;
        command.Parameters[2].Value = JsonSerializer.Serialize(meta, StorageJsonContext.Default.ObjectMeta);
        if (version is not null)
        {
            command.Parameters[3].Value = version;
        }

        return command.ExecuteNonQuery() > 0;
    }

    public void MarkCorrupt(string bucket, byte[] key, string version)
    {
        var command = Prepare("corrupt", "UPDATE objects SET corrupt = 1 WHERE bucket = $b AND key = $k AND version = $v", "$b", "$k", "$v");
        command.Parameters[0].Value = bucket;
        command.Parameters[1].Value = key;
        command.Parameters[2].Value = version;
        command.ExecuteNonQuery();
    }

    public void AddDataFile(DataId id)
    {
        var command = Prepare("add-file", "INSERT INTO data_files(id, doomed) VALUES($i, 0)", "$i");
        command.Parameters[0].Value = id.ToBytes();
        command.ExecuteNonQuery();
    }

    public void Doom(IEnumerable<Segment> segments)
    {
        foreach (var segment in segments)
        {
            if (segment.IsInline)
            {
                // Its bytes went with its row.
                continue;
            }

            var command = Prepare("doom", "UPDATE data_files SET doomed = 1 WHERE id = $i", "$i");
            command.Parameters[0].Value = segment.Id.ToBytes();
            command.ExecuteNonQuery();
            _doomed.Add(segment.Id);
        }
    }

    /// <summary>Forgets data files that were unlinked after an earlier commit.</summary>
    public void Purge(IEnumerable<DataId> ids)
    {
        foreach (var id in ids)
        {
            var command = Prepare("purge", "DELETE FROM data_files WHERE id = $i AND doomed = 1", "$i");
            command.Parameters[0].Value = id.ToBytes();
            command.ExecuteNonQuery();
        }
    }

    public void AddUsage(string bucket, string account, long objects, long bytes)
    {
        var command = Prepare(
            "usage",
            "INSERT INTO bucket_usage(bucket, account, objects, bytes) VALUES($b, $a, $o, $y) ON CONFLICT(bucket) DO UPDATE SET objects = objects + excluded.objects, bytes = bytes + excluded.bytes",
            "$b", "$a", "$o", "$y");
        command.Parameters[0].Value = bucket;
        command.Parameters[1].Value = account;
        command.Parameters[2].Value = objects;
        command.Parameters[3].Value = bytes;
        command.ExecuteNonQuery();
        _usage.Add((bucket, account, objects, bytes));
    }

    public void InsertUpload(UploadRecord upload)
    {
        var command = Prepare("upload-add", "INSERT INTO uploads(upload_id, bucket, key, initiated, meta, initiator, checksum) VALUES($u, $b, $k, $t, $m, $i, $c)", "$u", "$b", "$k", "$t", "$m", "$i", "$c");
        command.Parameters[0].Value = upload.UploadId;
        command.Parameters[1].Value = upload.Bucket;
        command.Parameters[2].Value = upload.Key;
        command.Parameters[3].Value = upload.Initiated.ToUnixTimeMilliseconds();
        command.Parameters[4].Value = JsonSerializer.Serialize(upload.Meta, StorageJsonContext.Default.ObjectMeta);
        command.Parameters[5].Value = upload.Initiator;
        command.Parameters[6].Value = (object?)ObjectChecksum.Encode(upload.Checksum) ?? DBNull.Value;
        command.ExecuteNonQuery();
    }

    public bool UploadExists(string uploadId, string bucket)
    {
        var command = Prepare("upload-exists", "SELECT EXISTS(SELECT 1 FROM uploads WHERE upload_id = $u AND bucket = $b)", "$u", "$b");
        command.Parameters[0].Value = uploadId;
        command.Parameters[1].Value = bucket;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) != 0;
    }

    /// <summary>Stores a part, replacing (and dooming) an earlier upload of the same number; counts its bytes against the bucket.</summary>
    public void PutPart(string uploadId, string bucket, string account, PartRecord part)
    {
        var find = Prepare("part-find", "SELECT part_number, size, etag, modified, segment, checksum FROM parts WHERE upload_id = $u AND part_number = $p", "$u", "$p");
        find.Parameters[0].Value = uploadId;
        find.Parameters[1].Value = part.PartNumber;
        PartRecord? previous = null;
        using (var reader = find.ExecuteReader())
        {
            if (reader.Read())
            {
                previous = ReadPart(reader);
            }
        }

        var command = Prepare(
            "part-put",
            "INSERT INTO parts(upload_id, part_number, size, etag, modified, segment, checksum) VALUES($u, $p, $s, $e, $m, $seg, $c) "
            + "ON CONFLICT(upload_id, part_number) DO UPDATE SET size = excluded.size, etag = excluded.etag, modified = excluded.modified, segment = excluded.segment, checksum = excluded.checksum",
            "$u", "$p", "$s", "$e", "$m", "$seg", "$c");
        command.Parameters[0].Value = uploadId;
        command.Parameters[1].Value = part.PartNumber;
        command.Parameters[2].Value = part.Size;
        command.Parameters[3].Value = part.ETag;
        command.Parameters[4].Value = part.LastModified.ToUnixTimeMilliseconds();
        command.Parameters[5].Value = Segment.Encode([part.Segment]);
        command.Parameters[6].Value = (object?)ObjectChecksum.Encode(part.Checksum) ?? DBNull.Value;
        command.ExecuteNonQuery();
        if (previous is not null)
        {
            Doom([previous.Segment]);
        }

        AddUsage(bucket, account, 0, part.Size - (previous?.Size ?? 0));
    }

    public List<PartRecord> AllParts(string uploadId)
    {
        var command = Prepare("parts-all", "SELECT part_number, size, etag, modified, segment, checksum FROM parts WHERE upload_id = $u ORDER BY part_number", "$u");
        command.Parameters[0].Value = uploadId;
        var parts = new List<PartRecord>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            parts.Add(ReadPart(reader));
        }

        return parts;
    }

    /// <summary>Removes an upload and its part rows; the caller dooms the parts' data it does not keep.</summary>
    public void DeleteUpload(string uploadId)
    {
        var parts = Prepare("parts-delete", "DELETE FROM parts WHERE upload_id = $u", "$u");
        parts.Parameters[0].Value = uploadId;
        parts.ExecuteNonQuery();
        var upload = Prepare("upload-delete", "DELETE FROM uploads WHERE upload_id = $u", "$u");
        upload.Parameters[0].Value = uploadId;
        upload.ExecuteNonQuery();
    }

    public bool BucketHasObjects(string bucket)
    {
        var command = Prepare("bucket-any", "SELECT EXISTS(SELECT 1 FROM objects WHERE bucket = $b)", "$b");
        command.Parameters[0].Value = bucket;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) != 0;
    }

    public List<string> UploadIdsOf(string bucket)
    {
        var command = Prepare("bucket-uploads", "SELECT upload_id FROM uploads WHERE bucket = $b", "$b");
        command.Parameters[0].Value = bucket;
        var ids = new List<string>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    public void DeleteUsage(string bucket)
    {
        var command = Prepare("usage-delete", "DELETE FROM bucket_usage WHERE bucket = $b", "$b");
        command.Parameters[0].Value = bucket;
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }
    }

    private static VersionRow? ReadVersionRow(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        return reader.Read()
            ? new VersionRow(reader.GetInt64(0), reader.GetString(1), reader.GetInt32(2) != 0, reader.GetInt32(3) != 0, reader.GetInt64(4), Segment.Decode((byte[])reader.GetValue(5)))
            : null;
    }

    internal static PartRecord ReadPart(SqliteDataReader reader) => new()
    {
        PartNumber = reader.GetInt32(0),
        Size = reader.GetInt64(1),
        ETag = reader.GetString(2),
        LastModified = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
        Segment = Segment.Decode((byte[])reader.GetValue(4))[0],
        Checksum = reader.IsDBNull(5) ? null : ObjectChecksum.Decode(reader.GetString(5)),
    };

    private SqliteCommand Prepare(string name, string sql, params string[] parameters)
    {
        if (!_commands.TryGetValue(name, out var command))
        {
            command = _connection.CreateCommand();
            command.CommandText = sql;
            foreach (var p in parameters)
            {
                command.Parameters.Add(new SqliteParameter(p, null));
            }

            _commands[name] = command;
        }

        command.Transaction = _transaction;
        return command;
    }
}
