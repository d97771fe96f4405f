using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Nimbus.Contracts.Checksums;
using Nimbus.Contracts.Signing;
using Nimbus.Storage.S3;

namespace Nimbus.Storage.Engine;

/// <summary>
/// The object store of one node: data files on disk, metadata in the object index, written through the
/// group committer. An object is visible (and a PUT acknowledged) only after its data file's data and directory
/// entry were synced and its index row committed.
/// </summary>
internal sealed partial class ObjectEngine : IAsyncDisposable
{
    private readonly StorageLayout _layout;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, byte> _sealedBuckets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, BucketUsage> _bucketUsage = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _accountBytes = new(StringComparer.Ordinal);
    private readonly Microsoft.Data.Sqlite.SqliteConnection _writeConnection;
    private readonly IndexCommitter _committer;
    private readonly CurrentVersionCache _current = new();
    private readonly DateTimeOffset _startedAt;

    private ObjectEngine(StorageLayout layout, Microsoft.Data.Sqlite.SqliteConnection connection, ILogger logger)
    {
        _layout = layout;
        _logger = logger;
        _writeConnection = connection;
        _startedAt = DateTimeOffset.UtcNow;
        Reader = new IndexReader(layout.IndexPath);
        _committer = new IndexCommitter(connection, layout, _current, logger);
        _committer.Committed += OnCommitted;
    }

    public StorageLayout Layout => _layout;

    public IndexReader Reader { get; }

    /// <summary>Accounts whose byte usage changed since the last <see cref="TakeChangedAccounts"/>.</summary>
    private readonly ConcurrentDictionary<string, byte> _changedAccounts = new(StringComparer.Ordinal);

    /// <summary>Opens (creating if needed) the store in <paramref name="directory"/> and cleans what a crash left.</summary>
    public static ObjectEngine Open(string directory, ILogger logger)
    {
        var layout = new StorageLayout(directory);
        layout.Ensure();
        var connection = IndexSchema.Open(layout.IndexPath, write: true);
        IndexSchema.Create(connection);
        var engine = new ObjectEngine(layout, connection, logger);
        engine.CleanAtStartup();
        return engine;
    }

    public (long Objects, long Bytes) UsageOf(string bucketId) =>
        _bucketUsage.TryGetValue(bucketId, out var usage) ? (Interlocked.Read(ref usage.Objects), Interlocked.Read(ref usage.Bytes)) : (0, 0);

    public long AccountBytes(string account) => _accountBytes.GetValueOrDefault(account);

    public IReadOnlyCollection<string> TakeChangedAccounts()
    {
        var accounts = _changedAccounts.Keys.ToArray();
        foreach (var account in accounts)
        {
            _changedAccounts.TryRemove(account, out _);
        }

        return accounts;
    }

    /// <summary>Receives a body; <paramref name="allowInline"/> lets a small one stay in memory for its index row (not for parts).</summary>
    public Task<IncomingData> ReceiveAsync(Stream body, long length, bool allowInline, CancellationToken cancellationToken) =>
        IncomingData.ReceiveAsync(_layout, body, length, allowInline, cancellationToken);

    /// <summary>Makes <paramref name="data"/> the current content of the key. The caller verified digests already.</summary>
    public async Task<ObjectRecord> PutAsync(string bucketId, string account, byte[] key, IncomingData data, ObjectMeta meta, DateTimeOffset now, VersioningState versioning)
    {
        var record = new ObjectRecord
        {
            Bucket = bucketId,
            Key = key,
            Size = data.Length,
            ETag = "\"" + Convert.ToHexStringLower(data.Md5) + "\"",
            LastModified = TruncateToSeconds(now),
            Meta = meta,
            Segments = [data.Segment],
            Checksum = data.Checksum,
            VersionId = NewVersionId(versioning),
        };
        try
        {
            await data.SealAsync().ConfigureAwait(false);
            return await _committer.SubmitAsync(
                w =>
                {
                    EnsureOpen(bucketId);
                    if (!data.IsInline)
                    {
                        w.AddDataFile(data.Id);
                    }

                    w.PutVersion(record, account, replaceNull: versioning != VersioningState.Enabled);
                    return record;
                }).ConfigureAwait(false);
        }
        catch
        {
            data.Discard();
            throw;
        }
    }

    /// <summary>
    /// Stores a range of an object under a new data file (copy): the source blocks are verified as they are
    /// read, and the MD5 and a <paramref name="checksum"/> of the copy computed on the way.
    /// </summary>
    public async Task<IncomingData> CopyAsync(ObjectRecord source, long start, long length, ChecksumAlgorithm checksum, bool allowInline, CancellationToken cancellationToken)
    {
        var pipe = new System.IO.Pipelines.Pipe(new System.IO.Pipelines.PipeOptions(pauseWriterThreshold: 4 * StorageLayout.BlockSize, resumeWriterThreshold: 2 * StorageLayout.BlockSize));
        var writing = Task.Run(
            async () =>
            {
                var output = pipe.Writer.AsStream();
                try
                {
                    await ObjectReader.CopyAsync(_layout, source.Segments, start, length, output, cancellationToken).ConfigureAwait(false);
                    await pipe.Writer.CompleteAsync().ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    await pipe.Writer.CompleteAsync(ex).ConfigureAwait(false);
                    throw;
                }
            },
            cancellationToken);
        try
        {
            using var verifying = new PayloadVerifyingStream(pipe.Reader.AsStream(), new PayloadVerificationOptions { ExpectedLength = length, ComputeMd5 = true, DefaultChecksum = checksum });
            var data = await IncomingData.ReceiveAsync(_layout, verifying, length, allowInline, cancellationToken).ConfigureAwait(false);
            await writing.ConfigureAwait(false);
            data.SetDigests(verifying.Md5, new ObjectChecksum(checksum, ChecksumType.FullObject, verifying.ChecksumValue!));
            return data;
        }
        catch
        {
            try
            {
                await writing.ConfigureAwait(false);
            }
            catch (CorruptDataException)
            {
                await MarkCorruptAsync(source.Bucket, source.Key, source.VersionId).ConfigureAwait(false);
                throw;
            }

            throw;
        }
    }

    /// <summary>The current version of a key, or null; a delete marker when that is the current version.</summary>
    public ObjectRecord? Get(string bucketId, byte[] key) => _current.Get(bucketId, key, Reader.GetObject);

    /// <summary>A version of a key (the current one when <paramref name="version"/> is null), or null.</summary>
    public ObjectRecord? Get(string bucketId, byte[] key, string? version) =>
        version is null ? Get(bucketId, key) : Reader.GetVersion(bucketId, key, version);

    /// <summary>
    /// Deletes a key as S3 does without a version id: a bucket never versioned loses the object; an Enabled
    /// one gets a delete marker on top; a Suspended one replaces its null version with a null delete marker.
    /// </summary>
    public Task<DeleteOutcome> DeleteAsync(string bucketId, string account, byte[] key, VersioningState versioning, DateTimeOffset now) =>
        _committer.SubmitAsync(w => Delete(w, bucketId, account, key, null, versioning, now));

    /// <summary>Deletes several keys (or versions) in one commit; per entry, what the delete did.</summary>
    public Task<DeleteOutcome[]> DeleteManyAsync(string bucketId, string account, IReadOnlyList<(byte[] Key, string? Version)> entries, VersioningState versioning, DateTimeOffset now) =>
        _committer.SubmitAsync(w =>
        {
            var outcomes = new DeleteOutcome[entries.Count];
            for (var i = 0; i < entries.Count; i++)
            {
                outcomes[i] = Delete(w, bucketId, account, entries[i].Key, entries[i].Version, versioning, now);
            }

            return outcomes;
        });

    /// <summary>
    /// Removes one version for good (<paramref name="version"/> given), or deletes the key by the bucket's
    /// versioning state. A version that does not exist is no error (S3 answers 204 too).
    /// </summary>
    internal DeleteOutcome Delete(IndexWriter w, string bucketId, string account, byte[] key, string? version, VersioningState versioning, DateTimeOffset now)
    {
        if (version is not null)
        {
            var removed = w.RemoveVersion(bucketId, key, version, account);
            return new DeleteOutcome(version, removed?.Marker ?? false);
        }

        if (versioning == VersioningState.Unversioned)
        {
            w.RemoveVersion(bucketId, key, ObjectRecord.NullVersion, account);
            return new DeleteOutcome(null, false);
        }

        EnsureOpen(bucketId);
        var marker = new ObjectRecord
        {
            Bucket = bucketId,
            Key = key,
            Size = 0,
            ETag = "",
            LastModified = TruncateToSeconds(now),
            Meta = ObjectMeta.Empty,
            Segments = [],
            VersionId = NewVersionId(versioning),
            IsDeleteMarker = true,
        };
        w.PutVersion(marker, account, replaceNull: versioning == VersioningState.Suspended);
        return new DeleteOutcome(marker.VersionId, true);
    }

    /// <summary>
    /// Applies what a lifecycle pass found due, each entry only if its version is still the row it saw (and,
    /// to expire a current version, still current); returns how many were applied.
    /// </summary>
    public Task<int> ExpireAsync(string bucketId, string account, IReadOnlyList<Lifecycle.LifecycleExpiry> due, VersioningState versioning, DateTimeOffset now) =>
        _committer.SubmitAsync(w =>
        {
            var applied = 0;
            foreach (var item in due)
            {
                if (w.FindVersion(bucketId, item.Key, item.VersionId) is not { } row || row.Row != item.Row || (item.Current && !row.Latest))
                {
                    continue;
                }

                if (item.Current)
                {
                    Delete(w, bucketId, account, item.Key, null, versioning, now);
                }
                else
                {
                    w.RemoveVersion(bucketId, item.Key, item.VersionId, account);
                }

                applied++;
            }

            return applied;
        });

    public Task<bool> UpdateMetaAsync(string bucketId, byte[] key, string? version, ObjectMeta meta) =>
        _committer.SubmitAsync(w => w.UpdateMeta(bucketId, key, version, meta));

    public Task MarkCorruptAsync(string bucketId, byte[] key, string version)
    {
        LogCorrupt(bucketId, Convert.ToBase64String(key));
        Interlocked.Increment(ref _corruptionsFound);
        return _committer.SubmitAsync(w =>
        {
            w.MarkCorrupt(bucketId, key, version);
            return true;
        });
    }

    private long _corruptionsFound;
    private int _disposed;

    /// <summary>Corrupt objects found since start (GETs and scrubs).</summary>
    public long CorruptionsFound => Interlocked.Read(ref _corruptionsFound);

    public async Task<UploadRecord> CreateUploadAsync(string bucketId, byte[] key, ObjectMeta meta, string initiator, ObjectChecksum? checksum, DateTimeOffset now)
    {
        var upload = new UploadRecord
        {
            UploadId = NewUploadId(),
            Bucket = bucketId,
            Key = key,
            Initiated = TruncateToSeconds(now),
            Meta = meta,
            Initiator = initiator,
            Checksum = checksum,
        };
        return await _committer.SubmitAsync(w =>
        {
            EnsureOpen(bucketId);
            w.InsertUpload(upload);
            return upload;
        }).ConfigureAwait(false);
    }

    public async Task<PartRecord> PutPartAsync(UploadRecord upload, string account, int partNumber, IncomingData data, DateTimeOffset now)
    {
        var part = new PartRecord
        {
            PartNumber = partNumber,
            Size = data.Length,
            ETag = "\"" + Convert.ToHexStringLower(data.Md5) + "\"",
            LastModified = TruncateToSeconds(now),
            Segment = data.Segment,
            Checksum = data.Checksum,
        };
        try
        {
            await data.SealAsync().ConfigureAwait(false);
            return await _committer.SubmitAsync(
                w =>
                {
                    EnsureOpen(upload.Bucket);
                    if (!w.UploadExists(upload.UploadId, upload.Bucket))
                    {
                        throw S3Errors.NoSuchUpload();
                    }

                    w.AddDataFile(data.Id);
                    w.PutPart(upload.UploadId, upload.Bucket, account, part);
                    return part;
                }).ConfigureAwait(false);
        }
        catch
        {
            data.Discard();
            throw;
        }
    }

    /// <summary>
    /// Completes an upload with the listed parts (number and ETag, ascending): validated against what was
    /// uploaded, in the same transaction that makes the object visible and drops the upload.
    /// </summary>
    public Task<ObjectRecord> CompleteUploadAsync(UploadRecord upload, string account, IReadOnlyList<CompletedPart> requested, (ChecksumAlgorithm Algorithm, string Value)? expectedChecksum, DateTimeOffset now, VersioningState versioning, string versionId) =>
        _committer.SubmitAsync(w =>
        {
            EnsureOpen(upload.Bucket);
            if (!w.UploadExists(upload.UploadId, upload.Bucket))
            {
                throw S3Errors.NoSuchUpload();
            }

            var uploaded = w.AllParts(upload.UploadId).ToDictionary(p => p.PartNumber);
            var chosen = new List<PartRecord>(requested.Count);
            using var md5s = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
            Span<byte> digest = stackalloc byte[16];
            for (var i = 0; i < requested.Count; i++)
            {
                var (number, etag, checksum) = requested[i];
                if (i > 0 && number <= requested[i - 1].PartNumber)
                {
                    throw S3Errors.InvalidPartOrder();
                }

                if (!uploaded.TryGetValue(number, out var part) || !ETagsEqual(part.ETag, etag))
                {
                    throw S3Errors.InvalidPart($"part {number}");
                }

                if (checksum is not null && (part.Checksum is not { } stored || stored.Value != checksum.Trim()))
                {
                    throw S3Errors.InvalidPart($"the checksum of part {number} does not match the one uploaded");
                }

                chosen.Add(part);
            }

            for (var i = 0; i < chosen.Count - 1; i++)
            {
                if (chosen[i].Size < MinPartSize)
                {
                    throw S3Errors.EntityTooSmall();
                }
            }

            foreach (var part in chosen)
            {
                Convert.FromHexString(part.ETag.AsSpan(1, 32), digest, out _, out _);
                md5s.AppendData(digest);
            }

            var record = new ObjectRecord
            {
                Bucket = upload.Bucket,
                Key = upload.Key,
                Size = chosen.Sum(p => p.Size),
                ETag = "\"" + Convert.ToHexStringLower(md5s.GetHashAndReset()) + "-" + chosen.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\"",
                LastModified = TruncateToSeconds(now),
                Meta = upload.Meta,
                Segments = [.. chosen.Select(p => p.Segment)],
                PartCount = chosen.Count,
                Checksum = CombineChecksums(upload.Checksum, chosen),
                PartChecksums = chosen.Any(p => p.Checksum is not null) ? [.. chosen.Select(p => p.Checksum)] : null,
                VersionId = versionId,
            };
            if (expectedChecksum is { } expected
                && (record.Checksum is not { } actual || actual.Algorithm != expected.Algorithm || (actual.Value != expected.Value && actual.Value.Split('-')[0] != expected.Value.Split('-')[0])))
            {
                throw new Core.Errors.NimbusException("BadDigest", 400, $"The {ChecksumAlgorithms.GetName(expected.Algorithm)} you specified for the object did not match the checksum of its parts.");
            }

            var kept = chosen.Select(p => p.PartNumber).ToHashSet();
            w.Doom(uploaded.Values.Where(p => !kept.Contains(p.PartNumber)).Select(p => p.Segment));
            w.AddUsage(upload.Bucket, account, 0, -uploaded.Values.Sum(p => p.Size));
            w.DeleteUpload(upload.UploadId);
            w.PutVersion(record, account, replaceNull: versioning != VersioningState.Enabled);
            return record;
        });

    public Task<bool> AbortUploadAsync(UploadRecord upload, string account) =>
        _committer.SubmitAsync(w =>
        {
            if (!w.UploadExists(upload.UploadId, upload.Bucket))
            {
                return false;
            }

            var parts = w.AllParts(upload.UploadId);
            w.Doom(parts.Select(p => p.Segment));
            if (parts.Count > 0)
            {
                w.AddUsage(upload.Bucket, account, 0, -parts.Sum(p => p.Size));
            }

            w.DeleteUpload(upload.UploadId);
            return true;
        });

    /// <summary>
    /// Stops a bucket taking writes before it is deleted: fails with <c>BucketNotEmpty</c> while it holds
    /// objects. Writes committed after this fail with <c>NoSuchBucket</c>.
    /// </summary>
    public Task SealBucketAsync(string bucketId, string bucketName) =>
        _committer.SubmitAsync(w =>
        {
            if (w.BucketHasObjects(bucketId))
            {
                throw S3Errors.BucketNotEmpty(bucketName);
            }

            _sealedBuckets[bucketId] = 0;
            return true;
        });

    public void UnsealBucket(string bucketId) => _sealedBuckets.TryRemove(bucketId, out _);

    /// <summary>Removes what is left of a deleted bucket: uploads in progress and its usage row.</summary>
    public Task DropBucketAsync(string bucketId, string account) =>
        _committer.SubmitAsync(w =>
        {
            foreach (var uploadId in w.UploadIdsOf(bucketId))
            {
                var parts = w.AllParts(uploadId);
                w.Doom(parts.Select(p => p.Segment));
                w.DeleteUpload(uploadId);
            }

            var (objects, bytes) = UsageOf(bucketId);
            if (objects != 0 || bytes != 0)
            {
                w.AddUsage(bucketId, account, -objects, -bytes);
            }

            w.DeleteUsage(bucketId);
            return true;
        });

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _committer.DisposeAsync().ConfigureAwait(false);
        Reader.Dispose();
        _writeConnection.Dispose();
    }

    /// <summary>Minimum size of every part but the last (5 MiB, as S3).</summary>
    public const long MinPartSize = 5L * 1024 * 1024;

    /// <summary>
    /// The checksum of a multipart object from its parts': the upload's declared algorithm and type, or, when
    /// it declared none, the parts' common algorithm (the default CRC64NVME) as FULL_OBJECT for a CRC and
    /// COMPOSITE otherwise. Null when the parts have no common checksum.
    /// </summary>
    internal static ObjectChecksum? CombineChecksums(ObjectChecksum? declared, IReadOnlyList<PartRecord> parts)
    {
        var algorithm = declared?.Algorithm ?? parts[0].Checksum?.Algorithm;
        if (algorithm is not { } a || parts.Any(p => p.Checksum?.Algorithm != a))
        {
            return null;
        }

        var type = declared?.Type ?? (ChecksumAlgorithms.IsCrc(a) ? ChecksumType.FullObject : ChecksumType.Composite);
        using var combined = new MultipartChecksum(a, type);
        foreach (var part in parts)
        {
            if (!combined.TryAddPart(part.Checksum!.Value.Value, part.Size))
            {
                return null;
            }
        }

        return new ObjectChecksum(a, type, combined.GetValue());
    }

    internal static bool ETagsEqual(string stored, string given)
    {
        var a = stored.AsSpan().Trim('"');
        var b = given.AsSpan().Trim().Trim('"');
        return a.Equals(b, StringComparison.OrdinalIgnoreCase);
    }

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset time) => DateTimeOffset.FromUnixTimeSeconds(time.ToUnixTimeSeconds());

    /// <summary>A new version id in an Enabled bucket (URL-safe, 32 characters); the null version otherwise.</summary>
    internal static string NewVersionId(VersioningState versioning)
    {
        if (versioning != VersioningState.Enabled)
        {
            return ObjectRecord.NullVersion;
        }

        Span<byte> bytes = stackalloc byte[24];
        RandomNumberGenerator.Fill(bytes);
        return Convert.ToBase64String(bytes).Replace('+', '.').Replace('/', '_');
    }

    private static string NewUploadId()
    {
        Span<byte> bytes = stackalloc byte[24];
        RandomNumberGenerator.Fill(bytes);
        return Convert.ToBase64String(bytes).Replace('+', '-').Replace('/', '_');
    }

    private void EnsureOpen(string bucketId)
    {
        if (_sealedBuckets.ContainsKey(bucketId))
        {
            throw S3Errors.NoSuchBucket(bucketId);
        }
    }

    private void OnCommitted(IReadOnlyList<(string Bucket, string Account, long Objects, long Bytes)> deltas)
    {
        foreach (var (bucket, account, objects, bytes) in deltas)
        {
            var usage = _bucketUsage.GetOrAdd(bucket, static _ => new BucketUsage());
            Interlocked.Add(ref usage.Objects, objects);
            Interlocked.Add(ref usage.Bytes, bytes);
            _accountBytes.AddOrUpdate(account, bytes, (_, current) => current + bytes);
            _changedAccounts[account] = 0;
        }
    }

    private sealed class BucketUsage
    {
        public long Objects;
        public long Bytes;
    }

    [LoggerMessage(EventId = 7010, Level = LogLevel.Error, Message = "Object storage: corrupt object in bucket {Bucket}, key (base64) {Key}; it is refused from now on")]
    private partial void LogCorrupt(string bucket, string key);
}
