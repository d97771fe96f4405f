using System.Diagnostics;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;

namespace Nimbus.Server.Metrics;

/// <summary>Measures every store operation into <see cref="NimbusMetrics"/>.</summary>
public sealed class InstrumentedResourceStore(IResourceStore inner, NimbusMetrics metrics) : IResourceStore
{
    public string Provider => inner.Provider;

    public event Action? Committed
    {
        add => inner.Committed += value;
        remove => inner.Committed -= value;
    }

    public Task InitializeAsync(CancellationToken cancellationToken) => inner.InitializeAsync(cancellationToken);

    public Task<bool> PingAsync(CancellationToken cancellationToken) => Measure("ping", Stopwatch.GetTimestamp(), inner.PingAsync(cancellationToken));

    public Task<Resource?> GetAsync(string id, CancellationToken cancellationToken) => Measure("get", Stopwatch.GetTimestamp(), inner.GetAsync(id, cancellationToken));

    public Task<Resource?> GetByNameAsync(string account, string kind, string name, CancellationToken cancellationToken) =>
        Measure("get_by_name", Stopwatch.GetTimestamp(), inner.GetByNameAsync(account, kind, name, cancellationToken));

    public Task<ResourcePage> ListAsync(ResourceQuery query, CancellationToken cancellationToken) => Measure("list", Stopwatch.GetTimestamp(), inner.ListAsync(query, cancellationToken));

    public Task<byte[]?> GetValueAsync(string ns, string key, CancellationToken cancellationToken) => Measure("get_value", Stopwatch.GetTimestamp(), inner.GetValueAsync(ns, key, cancellationToken));

    public Task<T> WriteAsync<T>(Func<IStoreWriter, CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        Measure("write", Stopwatch.GetTimestamp(), inner.WriteAsync(work, cancellationToken));

    public Task<IReadOnlyList<ChangeEvent>> ReadChangesAsync(long afterSequence, int limit, CancellationToken cancellationToken) =>
        Measure("read_changes", Stopwatch.GetTimestamp(), inner.ReadChangesAsync(afterSequence, limit, cancellationToken));

    public Task<long> GetLatestSequenceAsync(CancellationToken cancellationToken) => inner.GetLatestSequenceAsync(cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    // An operation that completed synchronously (a cache hit) is observed and handed back as is:
    // no closure, no state machine, no second task on the hottest path of the API.
    private Task<T> Measure<T>(string operation, long started, Task<T> task)
    {
        if (task.IsCompleted)
        {
            metrics.ObserveStore(operation, Stopwatch.GetElapsedTime(started).TotalSeconds);
            return task;
        }

        return MeasureAsync(operation, started, task);
    }

    private async Task<T> MeasureAsync<T>(string operation, long started, Task<T> task)
    {
        try
        {
            return await task.ConfigureAwait(false);
        }
        finally
        {
            metrics.ObserveStore(operation, Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }
}
