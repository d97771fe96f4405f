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

    public Task<bool> PingAsync(CancellationToken cancellationToken) => Measure("ping", () => inner.PingAsync(cancellationToken));

    public Task<Resource?> GetAsync(string id, CancellationToken cancellationToken) => Measure("get", () => inner.GetAsync(id, cancellationToken));

    public Task<Resource?> GetByNameAsync(string account, string kind, string name, CancellationToken cancellationToken) =>
        Measure("get_by_name", () => inner.GetByNameAsync(account, kind, name, cancellationToken));

    public Task<ResourcePage> ListAsync(ResourceQuery query, CancellationToken cancellationToken) => Measure("list", () => inner.ListAsync(query, cancellationToken));

    public Task<byte[]?> GetValueAsync(string ns, string key, CancellationToken cancellationToken) => Measure("get_value", () => inner.GetValueAsync(ns, key, cancellationToken));

    public Task<T> WriteAsync<T>(Func<IStoreWriter, CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        Measure("write", () => inner.WriteAsync(work, cancellationToken));

    public Task<IReadOnlyList<ChangeEvent>> ReadChangesAsync(long afterSequence, int limit, CancellationToken cancellationToken) =>
        Measure("read_changes", () => inner.ReadChangesAsync(afterSequence, limit, cancellationToken));

    public Task<long> GetLatestSequenceAsync(CancellationToken cancellationToken) => inner.GetLatestSequenceAsync(cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private async Task<T> Measure<T>(string operation, Func<Task<T>> task)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await task().ConfigureAwait(false);
        }
        finally
        {
            metrics.ObserveStore(operation, Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }
}
