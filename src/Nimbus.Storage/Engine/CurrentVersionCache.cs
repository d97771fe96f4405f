using System.Collections.Concurrent;

namespace Nimbus.Storage.Engine;

/// <summary>
/// The current version's record of recently read keys, so that repeated GETs of the same objects skip the index
/// lookup (a SQLite statement, two <c>fcntl</c> locks and often a page <c>pread</c> per GET: about 7 % of a 4 KiB
/// GET's CPU in its profile).
/// <para>
/// Invalidation is one generation number for the whole cache, moved by the index's one writer
/// (<see cref="IndexCommitter"/>) around every commit: odd from before its transaction begins until after it
/// committed (or failed), then even again, and only then are the writers' callers answered. A record is served
/// from the cache only if it was stored under the current, even generation; it is stored only if the generation
/// was even before its index read started and still the same after it ended, that is when no commit ran at any
/// moment of the read. So a cached record is exactly what the index held at that generation, and any commit (of
/// any key) drops every entry at once. A GET-only workload keeps its entries; a mixed one loses them at every
/// commit and reads the index as before — never a stale record.
/// </para>
/// Bounded: at most <see cref="MaxEntries"/> stores between clears (records of inline objects carry up to 32 KiB).
/// </summary>
internal sealed class CurrentVersionCache
{
    public const int MaxEntries = 1024;

    private readonly ConcurrentDictionary<EntryKey, Entry> _entries = new();
    private long _generation;
    private int _stores;

    /// <summary>The current version of <paramref name="key"/> (null for none), from the cache or from <paramref name="load"/>.</summary>
    public ObjectRecord? Get(string bucket, byte[] key, Func<string, byte[], ObjectRecord?> load)
    {
        var generation = Volatile.Read(ref _generation);
        var stable = (generation & 1) == 0;
        if (stable && _entries.TryGetValue(new EntryKey(bucket, key), out var entry) && entry.Generation == generation)
        {
            return entry.Record;
        }

        var record = load(bucket, key);
        if (stable && record is not null && Volatile.Read(ref _generation) == generation)
        {
            if (Interlocked.Increment(ref _stores) > MaxEntries)
            {
                _entries.Clear();
                Volatile.Write(ref _stores, 0);
            }

            _entries[new EntryKey(bucket, key)] = new Entry(generation, record);
        }

        return record;
    }

    /// <summary>Called by the index writer before it starts a transaction: from now on nothing is served or stored.</summary>
    public void BeginWrite() => Interlocked.Increment(ref _generation);

    /// <summary>Called by the index writer after its transaction committed or failed, before it answers anyone.</summary>
    public void EndWrite() => Interlocked.Increment(ref _generation);

    private sealed record Entry(long Generation, ObjectRecord Record);

    private readonly struct EntryKey(string bucket, byte[] key) : IEquatable<EntryKey>
    {
        private readonly string _bucket = bucket;
        private readonly byte[] _key = key;

        public bool Equals(EntryKey other) => _bucket == other._bucket && _key.AsSpan().SequenceEqual(other._key);

        public override bool Equals(object? obj) => obj is EntryKey other && Equals(other);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            hash.Add(_bucket);
            hash.AddBytes(_key);
            return hash.ToHashCode();
        }
    }
}
