using System.Text.Json;
using Nimbus.Core.Api;
using Nimbus.Core.Store;

namespace Nimbus.Network.Addressing;

/// <summary>Reads and writes the network service's key/value records as JSON.</summary>
internal static class KeyValues
{
    public static async Task<T?> ReadAsync<T>(IStoreWriter writer, string ns, string key, CancellationToken cancellationToken)
        where T : class
    {
        var value = await writer.GetValueAsync(ns, key, cancellationToken).ConfigureAwait(false);
        return value is null ? null : JsonSerializer.Deserialize<T>(value, NimbusJson.Options);
    }

    public static async Task<T?> ReadAsync<T>(IResourceStore store, string ns, string key, CancellationToken cancellationToken)
        where T : class
    {
        var value = await store.GetValueAsync(ns, key, cancellationToken).ConfigureAwait(false);
        return value is null ? null : JsonSerializer.Deserialize<T>(value, NimbusJson.Options);
    }

    public static Task WriteAsync<T>(IStoreWriter writer, string ns, string key, T value, CancellationToken cancellationToken) =>
        writer.PutValueAsync(ns, key, JsonSerializer.SerializeToUtf8Bytes(value, NimbusJson.Options), cancellationToken);
}
