using Nimbus.Core.Store;
using Nimbus.Network.RouteTables;
using Nimbus.Network.Topology;

namespace Nimbus.Network.Peerings;

/// <summary>
/// What peering lets through, from the store: for every active peering and each of its two VPCs, every subnet whose
/// route table sends (part of) the other VPC's range to the peering may send there: the part for which that route is
/// the longest match of the table. A connection needs both sides:
/// the request goes by the sender's route, the reply by the other side's, so traffic flows only when peered and routed
/// both ways (a stateless check, as on public clouds).
/// </summary>
public static class PeeredFlows
{
    /// <summary>Allowed (source block, destination block) pairs, sorted.</summary>
    public static async Task<IReadOnlyList<(string Source, string Destination)>> ReadAsync(IResourceStore store, IReadOnlyList<VpcTopology> topology, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(topology);
        var flows = new SortedSet<(string, string)>();
        var peerings = await store.ListAsync(new ResourceQuery { Kind = NetworkKinds.Peering, PageSize = 1000 }, cancellationToken).ConfigureAwait(false);
        foreach (var peering in peerings.Items.Where(p => p.Status.Phase == PeeringService.ActivePhase))
        {
            var spec = PeeringService.SpecOf(peering);
            foreach (var (from, to, toCidr) in new[] { (spec.RequesterVpcId, spec.AccepterVpcId, spec.AccepterCidr), (spec.AccepterVpcId, spec.RequesterVpcId, spec.RequesterCidr) })
            {
                var other = Ipv4Cidr.TryParse(toCidr, out _)!.Value;
                foreach (var subnet in topology.FirstOrDefault(v => v.Id == from)?.Subnets ?? [])
                {
                    var table = await RouteTableService.TableOfSubnetAsync(store, from, subnet.Id, cancellationToken).ConfigureAwait(false);
                    var routes = table is null ? [] : RouteTableService.SpecOf(table).Routes;
                    foreach (var route in routes.Where(r => r.Target == peering.Id))
                    {
                        // Only what the route decides (a more specific route of the table sends the rest elsewhere).
                        foreach (var destination in RoutePrecedence.EffectiveBlocks(route, routes))
                        {
                            if (Ipv4Cidr.Overlaps(destination, other))
                            {
                                // The overlap of two CIDR blocks is the more specific one.
                                flows.Add((subnet.Cidr, Ipv4Cidr.Format(destination.PrefixLength >= other.PrefixLength ? destination : other)));
                            }
                        }
                    }
                }
            }
        }

        return [.. flows];
    }
}
