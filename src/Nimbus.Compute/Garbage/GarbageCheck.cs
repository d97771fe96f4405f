using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nimbus.Compute.Instances;
using Nimbus.Compute.Node;
using Nimbus.Contracts.Compute;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;

namespace Nimbus.Compute.Garbage;

/// <summary>
/// Finds what compute left on the node that nothing owns any more: containers, mounts, cgroups, directories, veths,
/// network namespaces and nftables entries of
/// instances that are terminated or unknown, and image directories without an image. It reports (log warnings and
/// <see cref="LastReport"/>), it does not delete: a leak is a bug to understand, and deleting on a wrong reading
/// would destroy a user's disk. Runs at start and every <see cref="ComputeOptions.GarbageCheckInterval"/>.
/// </summary>
public sealed partial class GarbageCheck(
    IResourceStore store, IComputeNode node, INetworkNode networkNode, Networking.DefaultNetwork network, ComputeOptions options, TimeProvider time, ILogger<GarbageCheck> logger)
    : BackgroundService
{
    private volatile GarbageReportDto _last = new();

    public GarbageReportDto LastReport => _last;

    public async Task<GarbageReportDto> RunAsync(CancellationToken cancellationToken)
    {
        var instances = await ListAsync(ComputeKinds.Instance, cancellationToken).ConfigureAwait(false);
        var images = await ListAsync(ComputeKinds.Image, cancellationToken).ConfigureAwait(false);
        var live = instances.Where(i => i.Status.Phase != InstanceStates.Terminated).ToDictionary(i => i.Id, StringComparer.Ordinal);
        var terminated = instances.Where(i => i.Status.Phase == InstanceStates.Terminated).Select(i => i.Id);
        var imageIds = images.Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
        var inventory = await node.InventoryAsync(terminated, cancellationToken).ConfigureAwait(false);
        var items = inventory.Items.ToList();

        // Network pieces: veths on the bridge, network namespaces and anti-spoofing entries of no live instance.
        var bridge = network.Current?.Bridge ?? options.BridgeName;
        items.AddRange(await networkNode.InventoryAsync(bridge, options.NftTable, cancellationToken).ConfigureAwait(false));

        // A VPC's bridge lives as long as the VPC (empty or not): one of this installation's bridges whose VPC is gone
        // is a leak, and so is a veth on a VPC bridge of no live instance.
        var vpcBridges = (await Nimbus.Network.Topology.NetworkTopology.ReadAsync(store, cancellationToken).ConfigureAwait(false))
            .Select(v => Networking.DefaultNetwork.VpcBridgeName(v.Id)).ToHashSet(StringComparer.Ordinal);
        var bridges = new HashSet<string>(StringComparer.Ordinal);
        foreach (var vpcBridge in await networkNode.ListVpcBridgesAsync(network.BridgeOwner, cancellationToken).ConfigureAwait(false))
        {
            if (!vpcBridges.Contains(vpcBridge))
            {
                bridges.Add(vpcBridge);
                items.Add(new NodeItem("bridge", vpcBridge, "/sys/class/net/" + vpcBridge));
            }

            items.AddRange((await networkNode.InventoryAsync(vpcBridge, options.NftTable, cancellationToken).ConfigureAwait(false)).Where(i => i.Kind == "veth"));
        }

        var leaks = new List<GarbageLeakDto>();
        foreach (var item in items)
        {
            var leaked = item.Kind switch
            {
                "image-directory" => !imageIds.Contains(item.Id) && !item.Id.Contains(".building-", StringComparison.Ordinal),
                "bridge" => bridges.Contains(item.Id),
                _ => !live.ContainsKey(item.Id),
            };
            if (leaked)
            {
                leaks.Add(new GarbageLeakDto { Kind = item.Kind, Id = item.Id, Location = item.Location });
                LogLeak(item.Kind, item.Id, item.Location);
            }
        }

        var report = new GarbageReportDto { At = time.GetUtcNow(), Leaks = leaks };
        _last = report;
        return report;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunAsync(stoppingToken).ConfigureAwait(false);
                await Task.Delay(options.GarbageCheckInterval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogCheckFailed(ex);
                await Task.Delay(options.GarbageCheckInterval, time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<List<Resource>> ListAsync(string kind, CancellationToken cancellationToken)
    {
        var all = new List<Resource>();
        string? token = null;
        do
        {
            var page = await store.ListAsync(new ResourceQuery { Kind = kind, PageSize = 1000, PageToken = token }, cancellationToken).ConfigureAwait(false);
            all.AddRange(page.Items);
            token = page.NextPageToken;
        }
        while (token is not null);
        return all;
    }

    [LoggerMessage(EventId = 5300, Level = LogLevel.Warning, Message = "Compute leak: {Kind} of {Id} at {Location} belongs to no instance or image")]
    private partial void LogLeak(string kind, string id, string location);

    [LoggerMessage(EventId = 5301, Level = LogLevel.Error, Message = "The compute garbage check failed; it runs again at the next interval")]
    private partial void LogCheckFailed(Exception ex);
}
