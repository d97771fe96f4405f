using System.Text.Json;
using Nimbus.Core.Api;
using Nimbus.Core.Store;

namespace Nimbus.Compute.Networking.Appliances;

/// <summary>
/// The interfaces whose source/destination check is off (key/value <c>network.source-dest-check</c>, key <c>off</c>):
/// one record for the node, so that a rebuild of the ruleset reads it once whatever the number of interfaces. Written
/// under its key's lock in the unit of work that changes an interface's attribute (or deletes the interface).
/// </summary>
public sealed record SourceDestChecks
{
    public const string Namespace = "network.source-dest-check";
    public const string Key = "off";

    /// <summary>Interface ids (<c>eni-...</c>) that may send from addresses not their own.</summary>
    public IReadOnlyList<string> Off { get; init; } = [];

    public static async Task<SourceDestChecks> ReadAsync(IResourceStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var value = await store.GetValueAsync(Namespace, Key, cancellationToken).ConfigureAwait(false);
        return value is null ? new SourceDestChecks() : JsonSerializer.Deserialize<SourceDestChecks>(value, NimbusJson.Options)!;
    }

    /// <summary>Sets <paramref name="interfaceId"/>'s check, in the caller's unit of work under the record's lock.</summary>
    public static async Task SetAsync(IStoreWriter writer, string interfaceId, bool check, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        await writer.LockKeyAsync(Namespace, Key, cancellationToken).ConfigureAwait(false);
        var value = await writer.GetValueAsync(Namespace, Key, cancellationToken).ConfigureAwait(false);
        var current = value is null ? new SourceDestChecks() : JsonSerializer.Deserialize<SourceDestChecks>(value, NimbusJson.Options)!;
        var off = new SortedSet<string>(current.Off, StringComparer.Ordinal);
        if (check ? off.Remove(interfaceId) : off.Add(interfaceId))
        {
            await writer.PutValueAsync(Namespace, Key, JsonSerializer.SerializeToUtf8Bytes(new SourceDestChecks { Off = [.. off] }, NimbusJson.Options), cancellationToken).ConfigureAwait(false);
        }
    }
}
