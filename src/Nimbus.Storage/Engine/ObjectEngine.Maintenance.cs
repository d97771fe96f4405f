using Microsoft.Extensions.Logging;

namespace Nimbus.Storage.Engine;

/// <summary>Start-up cleaning, usage loading, the orphan sweep and scrubbing.</summary>
internal sealed partial class ObjectEngine
{
    private readonly Lock _scrubGate = new();
    private ScrubStatus _scrubStatus = new();

    public ScrubStatus LastScrub
    {
        get
        {
            lock (_scrubGate)
            {
                return _scrubStatus;
            }
        }
    }

    /// <summary>
    /// What a crash can leave: data files of uploads in flight or whose index change did not commit (unknown to
    /// the index), and data files whose unlink did not happen (doomed in the index). Doomed files go now, with
    /// what an older version left in <c>tmp/</c>; files unknown to the index are swept by
    /// <see cref="SweepOrphansAsync"/> in the background (no object refers to them, so none is visible meanwhile).
    /// </summary>
    private void CleanAtStartup()
    {
        var temporary = 0;
        foreach (var file in Directory.EnumerateFiles(_layout.TempDirectory))
        {
            File.Delete(file);
            temporary++;
        }

        var doomed = new List<DataId>();
        using (var command = _writeConnection.CreateCommand())
        {
            command.CommandText = "SELECT id FROM data_files WHERE doomed = 1";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                doomed.Add(DataId.Read((byte[])reader.GetValue(0)));
            }
        }

        foreach (var id in doomed)
        {
            File.Delete(_layout.PathOf(id));
        }

        using (var command = _writeConnection.CreateCommand())
        {
            command.CommandText = "DELETE FROM data_files WHERE doomed = 1";
            command.ExecuteNonQuery();
        }

        using (var command = _writeConnection.CreateCommand())
        {
            command.CommandText = "SELECT bucket, account, objects, bytes FROM bucket_usage";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var usage = new BucketUsage { Objects = reader.GetInt64(2), Bytes = reader.GetInt64(3) };
                _bucketUsage[reader.GetString(0)] = usage;
                _accountBytes.AddOrUpdate(reader.GetString(1), usage.Bytes, (_, current) => current + usage.Bytes);
            }
        }

        if (temporary > 0 || doomed.Count > 0)
        {
            LogCleaned(temporary, doomed.Count);
        }
    }

    /// <summary>
    /// Removes data files the index does not know, written before this process started (an upload cut by a
    /// crash, or one whose commit did not happen). Files of this process's own uploads are newer and left alone.
    /// </summary>
    public async Task<int> SweepOrphansAsync(CancellationToken cancellationToken)
    {
        var removed = 0;
        foreach (var directory in Directory.EnumerateDirectories(_layout.DataDirectory))
        {
            foreach (var file in Directory.EnumerateFiles(directory))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var info = new FileInfo(file);
                // 20 ms of slack for the kernel's coarse file-time clock (a jiffy). It used to be a second, which
                // left for good an orphan renamed in the last second before a crash that was restarted at once.
                if (info.LastWriteTimeUtc >= _startedAt.UtcDateTime.AddMilliseconds(-20))
                {
                    continue;
                }

                if (!DataId.TryParse(info.Name, out var id) || !Reader.IsKnownDataFile(id))
                {
                    info.Delete();
                    removed++;
                }
            }

            await Task.Yield();
        }

        if (removed > 0)
        {
            LogOrphans(removed);
        }

        return removed;
    }

    /// <summary>Reads and verifies every object once; marks (and reports) the corrupt ones.</summary>
    public async Task<ScrubStatus> ScrubAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        long checkedObjects = 0, checkedBytes = 0, corrupt = 0;
        long after = 0;
        while (true)
        {
            var batch = Reader.ScanObjects(after, 256);
            if (batch.Count == 0)
            {
                break;
            }

            foreach (var (row, bucket, key, version) in batch)
            {
                after = row;
                var record = Reader.GetVersion(bucket, key, version);
                if (record is null)
                {
                    continue;
                }

                try
                {
                    await ObjectReader.CopyAsync(_layout, record.Segments, 0, record.Size, null, cancellationToken).ConfigureAwait(false);
                    checkedBytes += record.Size;
                }
                catch (Exception ex) when (ex is CorruptDataException or DataMissingException)
                {
                    corrupt++;
                    if (!record.Corrupt && Reader.GetVersion(bucket, key, version)?.ETag == record.ETag)
                    {
                        await MarkCorruptAsync(bucket, key, version).ConfigureAwait(false);
                    }
                }

                checkedObjects++;
            }
        }

        var status = new ScrubStatus
        {
            LastStartedAt = started,
            LastCompletedAt = time.GetUtcNow(),
            ObjectsChecked = checkedObjects,
            BytesChecked = checkedBytes,
            CorruptObjects = corrupt,
        };
        lock (_scrubGate)
        {
            _scrubStatus = status;
        }

        LogScrubbed(checkedObjects, checkedBytes, corrupt);
        return status;
    }

    [LoggerMessage(EventId = 7020, Level = LogLevel.Information, Message = "Object storage start-up: removed {Temporary} interrupted uploads and {Doomed} dropped data files")]
    private partial void LogCleaned(int temporary, int doomed);

    [LoggerMessage(EventId = 7021, Level = LogLevel.Information, Message = "Object storage: removed {Count} data files no object referenced (left by a crash)")]
    private partial void LogOrphans(int count);

    [LoggerMessage(EventId = 7022, Level = LogLevel.Information, Message = "Object storage scrub: {Objects} objects ({Bytes} bytes) verified, {Corrupt} corrupt")]
    private partial void LogScrubbed(long objects, long bytes, long corrupt);
}

/// <summary>The outcome of the last scrub.</summary>
public sealed record ScrubStatus
{
    public DateTimeOffset? LastStartedAt { get; init; }

    public DateTimeOffset? LastCompletedAt { get; init; }

    public long ObjectsChecked { get; init; }

    public long BytesChecked { get; init; }

    /// <summary>Objects found corrupt in the last scrub.</summary>
    public long CorruptObjects { get; init; }
}
