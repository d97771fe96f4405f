using System.Text.Json;
using Nimbus.Compute.Node;
using Nimbus.Core.Api;
using Nimbus.Core.Store;

namespace Nimbus.Compute.Scheduling;

/// <summary>
/// Places instances on nodes by vCPU and memory. A node offers its CPUs times <see cref="ComputeOptions.CpuOvercommitRatio"/>
/// and its memory times <see cref="ComputeOptions.MemoryOvercommitRatio"/>; what instances hold is a key/value entry per
/// node, changed in the same unit of work that creates, resizes or terminates instances (under the entry's lock, as
/// quotas are), so two concurrent runs never both take the last capacity. Instances hold their place from run until
/// terminated, stopped ones included, so that a start never fails for capacity.
/// </summary>
public sealed class InstanceScheduler(IComputeNode node, ComputeOptions options)
{
    public const string Namespace = "compute.allocation";

    /// <summary>What the node offers in total.</summary>
    public (long VCpus, long MemoryMiB) CapacityOf(NodeInfo info) =>
        ((long)Math.Floor(info.VCpus * options.CpuOvercommitRatio), (long)Math.Floor(info.MemoryMiB * options.MemoryOvercommitRatio));

    /// <summary>Takes room for <paramref name="count"/> instances of the given size and returns the node's name, or throws <c>InsufficientCapacity</c>.</summary>
    public async Task<string> PlaceAsync(IStoreWriter writer, int vcpus, int memoryMiB, int count, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var info = node.Info;
        await writer.LockKeyAsync(Namespace, info.Name, cancellationToken).ConfigureAwait(false);
        var held = await ReadAsync(writer, info.Name, cancellationToken).ConfigureAwait(false);
        var (cpuCapacity, memoryCapacity) = CapacityOf(info);
        long wantCpu = (long)vcpus * count, wantMemory = (long)memoryMiB * count;
        if (held.VCpus + wantCpu > cpuCapacity || held.MemoryMiB + wantMemory > memoryCapacity)
        {
            throw ComputeErrors.InsufficientCapacity(
                $"No node has room for {count} instance(s) of {vcpus} vCPU and {memoryMiB} MiB: node {info.Name} offers {cpuCapacity} vCPUs and {memoryCapacity} MiB, " +
                $"of which {held.VCpus} vCPUs and {held.MemoryMiB} MiB are held. Terminate instances, choose a smaller type, or raise the overcommit ratio.");
        }

        await WriteAsync(writer, info.Name, new Allocation(held.VCpus + wantCpu, held.MemoryMiB + wantMemory), cancellationToken).ConfigureAwait(false);
        return info.Name;
    }

    /// <summary>Gives back what one instance held on <paramref name="nodeName"/>; never below zero.</summary>
    public async Task ReleaseAsync(IStoreWriter writer, string nodeName, int vcpus, int memoryMiB, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        await writer.LockKeyAsync(Namespace, nodeName, cancellationToken).ConfigureAwait(false);
        var held = await ReadAsync(writer, nodeName, cancellationToken).ConfigureAwait(false);
        await WriteAsync(writer, nodeName, new Allocation(Math.Max(0, held.VCpus - vcpus), Math.Max(0, held.MemoryMiB - memoryMiB)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Resizes what one instance holds (a type change), or throws <c>InsufficientCapacity</c> when it grows past the node.</summary>
    public async Task ResizeAsync(IStoreWriter writer, string nodeName, (int VCpus, int MemoryMiB) from, (int VCpus, int MemoryMiB) to, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        await writer.LockKeyAsync(Namespace, nodeName, cancellationToken).ConfigureAwait(false);
        var held = await ReadAsync(writer, nodeName, cancellationToken).ConfigureAwait(false);
        var next = new Allocation(Math.Max(0, held.VCpus - from.VCpus + to.VCpus), Math.Max(0, held.MemoryMiB - from.MemoryMiB + to.MemoryMiB));
        var (cpuCapacity, memoryCapacity) = CapacityOf(node.Info);
        if ((to.VCpus > from.VCpus && next.VCpus > cpuCapacity) || (to.MemoryMiB > from.MemoryMiB && next.MemoryMiB > memoryCapacity))
        {
            throw ComputeErrors.InsufficientCapacity(
                $"Node {nodeName} has no room to grow the instance to {to.VCpus} vCPU and {to.MemoryMiB} MiB: it offers {cpuCapacity} vCPUs and {memoryCapacity} MiB, of which {held.VCpus} and {held.MemoryMiB} are held.");
        }

        await WriteAsync(writer, nodeName, next, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What instances hold on the node now.</summary>
    public async Task<(long VCpus, long MemoryMiB)> HeldAsync(IResourceStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var value = await store.GetValueAsync(Namespace, node.Info.Name, cancellationToken).ConfigureAwait(false);
        var held = value is null ? new Allocation(0, 0) : JsonSerializer.Deserialize<Allocation>(value, NimbusJson.Options)!;
        return (held.VCpus, held.MemoryMiB);
    }

    private static async Task<Allocation> ReadAsync(IStoreWriter writer, string nodeName, CancellationToken cancellationToken)
    {
        var value = await writer.GetValueAsync(Namespace, nodeName, cancellationToken).ConfigureAwait(false);
        return value is null ? new Allocation(0, 0) : JsonSerializer.Deserialize<Allocation>(value, NimbusJson.Options)!;
    }

    private static Task WriteAsync(IStoreWriter writer, string nodeName, Allocation allocation, CancellationToken cancellationToken) =>
        writer.PutValueAsync(Namespace, nodeName, JsonSerializer.SerializeToUtf8Bytes(allocation, NimbusJson.Options), cancellationToken);

    internal sealed record Allocation(long VCpus, long MemoryMiB);
}
