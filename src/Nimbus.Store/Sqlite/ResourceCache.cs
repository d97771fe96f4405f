using System.Collections.Concurrent;
using Nimbus.Core.Resources;

namespace Nimbus.Store.Sqlite;

/// <summary>
/// Resources by id, in memory, for the SQLite engine (whose one process is the only writer).
/// A GET of one resource is the API's most frequent read; served from SQLite it cost a statement
/// prepare and step per request, most of the request's CPU.
/// </summary>
/// <remarks>
/// Coherence: before a batch commits, the writer marks its ids in flight and drops them (no cached
/// copy of them is served or stored while SQLite may be changing them); after the commit it drops
/// them again and clears the mark. Every mark change bumps the generation; a reader remembers the
/// generation before it reads SQLite and its copy is stored only if no mark changed meanwhile, so a
/// copy read before a commit can never be cached after it.
/// </remarks>
internal sealed class ResourceCache(int capacity = 10_000)
{
    // Completed tasks, so that a hit allocates nothing (a GET is served with the very task cached).
    private readonly ConcurrentDictionary<string, Task<Resource?>> _items = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _inFlight = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private long _generation;

    public long Generation => Volatile.Read(ref _generation);

    public bool TryGet(string id, out Task<Resource?> resource)
    {
        if (!_inFlight.IsEmpty && _inFlight.ContainsKey(id))
        {
            resource = null!;
            return false;
        }

        return _items.TryGetValue(id, out resource!);
    }

    /// <summary>Caches what a reader read, unless a commit began or ended since it started reading.</summary>
    public void Offer(Resource resource, long generationBeforeRead)
    {
        lock (_gate)
        {
            if (_generation != generationBeforeRead || _inFlight.ContainsKey(resource.Id))
            {
                return;
            }

            if (_items.Count >= capacity)
            {
                // Crude but bounded: the working set refills from SQLite.
                _items.Clear();
            }

            _items[resource.Id] = Task.FromResult<Resource?>(resource);
        }
    }

    /// <summary>Called before the commit of a batch that wrote <paramref name="ids"/>.</summary>
    public void BeginWrite(IReadOnlyList<string> ids)
    {
        lock (_gate)
        {
            _generation++;
            foreach (var id in ids)
            {
                _inFlight.AddOrUpdate(id, 1, static (_, n) => n + 1);
                _items.TryRemove(id, out _);
            }
        }
    }

    /// <summary>Called after the commit (or rollback) of a batch that <see cref="BeginWrite"/> announced.</summary>
    public void EndWrite(IReadOnlyList<string> ids)
    {
        lock (_gate)
        {
            _generation++;
            foreach (var id in ids)
            {
                _items.TryRemove(id, out _);
                if (_inFlight.AddOrUpdate(id, 0, static (_, n) => n - 1) <= 0)
                {
                    _inFlight.TryRemove(id, out _);
                }
            }
        }
    }
}
