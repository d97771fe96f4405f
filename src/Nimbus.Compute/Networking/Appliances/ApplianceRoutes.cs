using Nimbus.Compute.Instances;
using Nimbus.Compute.Networking.Interfaces;
using Nimbus.Compute.Node;
using Nimbus.Core.Store;
using Nimbus.Network.Addressing;
using Nimbus.Network.RouteTables;
using Nimbus.Network.Topology;

namespace Nimbus.Compute.Networking.Appliances;

/// <summary>
/// Routes to appliances, from the store: every subnet on the node whose route table sends a destination to an
/// instance or a network interface gets policy routing (<see cref="SubnetRouting"/>). The next hop is the target's
/// address while an instance holds it (an instance's primary address; an interface's own address while attached);
/// otherwise the route drops, as a route whose target is gone does on public clouds ("blackhole").
/// </summary>
public static class ApplianceRoutes
{
    public static async Task<IReadOnlyList<SubnetRouting>> ReadAsync(
        IResourceStore store, IReadOnlyList<VpcTopology> topology, IReadOnlyDictionary<string, string> bridges, Func<string, bool> leaving, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(bridges);
        ArgumentNullException.ThrowIfNull(leaving);
        var result = new List<SubnetRouting>();
        var nextHops = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var vpc in topology)
        {
            if (!bridges.TryGetValue(vpc.Id, out var bridge))
            {
                continue;
            }

            // Addresses held by a live instance of this VPC, and by whom.
            var held = vpc.Subnets.SelectMany(s => s.Allocations)
                .Where(a => a.Value.InstanceId is { } instance && !leaving(instance))
                .ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
            foreach (var subnet in vpc.Subnets)
            {
                var table = await RouteTableService.TableOfSubnetAsync(store, vpc.Id, subnet.Id, cancellationToken).ConfigureAwait(false);
                if (table is null)
                {
                    continue;
                }

                var routes = RouteTableService.SpecOf(table).Routes;
                if (!routes.Any(IsAppliance))
                {
                    continue;
                }

                var kernel = new List<KernelRoute>(routes.Count);
                foreach (var route in routes.OrderBy(r => r.DestinationCidr, StringComparer.Ordinal))
                {
                    if (!IsAppliance(route))
                    {
                        kernel.Add(new KernelRoute(route.DestinationCidr, KernelRoute.Throw));
                        continue;
                    }

                    if (!nextHops.TryGetValue(route.Target, out var hop))
                    {
                        hop = nextHops[route.Target] = await NextHopAsync(store, route, held, cancellationToken).ConfigureAwait(false);
                    }

                    kernel.Add(hop is null ? new KernelRoute(route.DestinationCidr, KernelRoute.Blackhole) : new KernelRoute(route.DestinationCidr, KernelRoute.Via, hop));
                }

                result.Add(new SubnetRouting { Bridge = bridge, SubnetCidr = subnet.Cidr, RouteTableId = table.Id, Routes = kernel });
            }
        }

        return result;
    }

    private static bool IsAppliance(Contracts.Network.RouteDto route) =>
        route.TargetType is RouteTableService.InstanceTarget or RouteTableService.NetworkInterfaceTarget;

    /// <summary>The target's address while an instance of the VPC holds it for the target; null otherwise.</summary>
    private static async Task<string?> NextHopAsync(IResourceStore store, Contracts.Network.RouteDto route, IReadOnlyDictionary<string, AddressHolder> held, CancellationToken cancellationToken)
    {
        var target = await store.GetAsync(route.Target, cancellationToken).ConfigureAwait(false);
        if (target is null)
        {
            return null;
        }

        if (route.TargetType == RouteTableService.InstanceTarget)
        {
            return target.Kind == ComputeKinds.Instance && InstanceService.SpecOf(target).NetworkInterface?.PrivateIpAddress is { } address
                && held.TryGetValue(address, out var holder) && holder.InstanceId == target.Id
                ? address
                : null;
        }

        return target.Kind == NetworkInterfaceService.Kind && NetworkInterfaceService.SpecOf(target).PrivateIpAddress is { } own
            && held.TryGetValue(own, out var owner) && owner.InterfaceId == target.Id
            ? own
            : null;
    }
}
