using Nimbus.Compute.Node;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;
using Nimbus.Network;
using Nimbus.Network.RouteTables;
using Nimbus.Network.Topology;

namespace Nimbus.Compute.Networking.NatGateways;

/// <summary>
/// What NAT gateways translate, from the store: every subnet whose route table sends a destination to a NAT gateway
/// of its VPC may reach that destination outside the VPC, from the gateway's elastic IP.
/// </summary>
public static class NatFlows
{
    /// <summary>(source subnet, destination block, elastic IP), sorted.</summary>
    public static async Task<IReadOnlyList<(string Source, string Destination, string ElasticIp)>> ReadAsync(IResourceStore store, IReadOnlyList<VpcTopology> topology, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(topology);
        var gateways = await store.ListAsync(new ResourceQuery { Kind = NetworkKinds.NatGateway, PageSize = 1000 }, cancellationToken).ConfigureAwait(false);
        var byId = gateways.Items.ToDictionary(g => g.Id, NatGatewayService.SpecOf, StringComparer.Ordinal);
        var flows = new SortedSet<(string, string, string)>();
        if (byId.Count == 0)
        {
            return [];
        }

        foreach (var vpc in topology)
        {
            foreach (var subnet in vpc.Subnets)
            {
                var table = await RouteTableService.TableOfSubnetAsync(store, vpc.Id, subnet.Id, cancellationToken).ConfigureAwait(false);
                var routes = table is null ? [] : RouteTableService.SpecOf(table).Routes;
                foreach (var route in routes.Where(r => r.TargetType == RouteTableService.NatGatewayTarget))
                {
                    if (byId.TryGetValue(route.Target, out var gateway) && gateway.VpcId == vpc.Id)
                    {
                        // Only what the route decides: a more specific route (a peering, an appliance) takes the rest.
                        foreach (var destination in RoutePrecedence.EffectiveCidrs(route, routes))
                        {
                            flows.Add((subnet.Cidr, destination, gateway.PublicIp));
                        }
                    }
                }
            }
        }

        return [.. flows];
    }

    /// <summary>Every NAT gateway's port forwards, sorted by elastic IP, protocol and port.</summary>
    public static async Task<IReadOnlyList<PortForwardMapping>> ReadPortForwardsAsync(IResourceStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var gateways = await store.ListAsync(new ResourceQuery { Kind = NetworkKinds.NatGateway, PageSize = 1000 }, cancellationToken).ConfigureAwait(false);
        return
        [
            .. gateways.Items.SelectMany(g => NatGatewayService.SpecOf(g).PortForwards ?? [])
                .SelectMany(f => Enumerable.Range(0, NatGatewayService.LastExternalPort(f) - f.ExternalPort + 1)
                    .Select(n => new PortForwardMapping(f.Protocol, f.PublicIp, f.ExternalPort + n, f.PrivateIpAddress, f.PrivatePort + n)))
                .OrderBy(f => f.PublicIp, StringComparer.Ordinal).ThenBy(f => f.Protocol, StringComparer.Ordinal).ThenBy(f => f.ExternalPort),
        ];
    }
}
