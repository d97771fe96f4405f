using Nimbus.Core.Resources;

namespace Nimbus.Core.Store;

/// <summary>
/// Control-plane state: resources, a change feed and a small key/value space, with one
/// contract and two engines (SQLite embedded, PostgreSQL shared). Reads run directly;
/// every write runs as a unit of work in <see cref="WriteAsync{T}"/>, atomically: all of
/// its changes commit, durably (fsynced), before the task completes, or none do.
/// </summary>
public interface IResourceStore : IAsyncDisposable
{
    /// <summary><c>sqlite</c> or <c>postgres</c>.</summary>
    string Provider { get; }

    /// <summary>Creates or migrates the schema. Idempotent.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>True when the store answers a trivial query.</summary>
    Task<bool> PingAsync(CancellationToken cancellationToken);

    Task<Resource?> GetAsync(string id, CancellationToken cancellationToken);

    Task<Resource?> GetByNameAsync(string account, string kind, string name, CancellationToken cancellationToken);

    Task<ResourcePage> ListAsync(ResourceQuery query, CancellationToken cancellationToken);

    Task<byte[]?> GetValueAsync(string ns, string key, CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> as one transaction. If it throws, nothing it wrote is kept
    /// and the exception reaches the caller. The engine may commit several callers' units of
    /// work together (group commit); each still succeeds or fails alone.
    /// </summary>
    Task<T> WriteAsync<T>(Func<IStoreWriter, CancellationToken, Task<T>> work, CancellationToken cancellationToken);

    /// <summary>Change events with sequence greater than <paramref name="afterSequence"/>, ascending, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<ChangeEvent>> ReadChangesAsync(long afterSequence, int limit, CancellationToken cancellationToken);

    /// <summary>The sequence of the newest change event, 0 when none.</summary>
    Task<long> GetLatestSequenceAsync(CancellationToken cancellationToken);

    /// <summary>Raised (on a pool thread) after a write commits, so feed readers wake without polling.</summary>
    event Action? Committed;
}
