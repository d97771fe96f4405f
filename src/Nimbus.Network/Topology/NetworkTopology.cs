using System.Net;
using Nimbus.Contracts.Network;
using Nimbus.Core.Store;
using Nimbus.Network.Addressing;
using Nimbus.Network.Vpcs;

namespace Nimbus.Network.Topology;

/// <summary>
/// Every VPC of the installation with its subnets and their held addresses, as the store says now: what the node's
/// data path (bridges, veths, the nftables ruleset) is rebuilt from. Read with one registry read, then one read of
/// each VPC, its layout and each subnet's IPAM record.
/// </summary>
public static class NetworkTopology
{
    public static async Task<IReadOnlyList<VpcTopology>> ReadAsync(IResourceStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var registry = await KeyValues.ReadAsync<VpcRegistry>(store, VpcRegistry.Namespace, VpcRegistry.Key, cancellationToken).ConfigureAwait(false) ?? new VpcRegistry();
        var result = new List<VpcTopology>(registry.Vpcs.Count);
        foreach (var (vpcId, registered) in registry.Vpcs.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            var vpc = await store.GetAsync(vpcId, cancellationToken).ConfigureAwait(false);
            if (vpc is null || vpc.Kind != NetworkKinds.Vpc)
            {
                continue;
            }

            var layout = await KeyValues.ReadAsync<VpcLayout>(store, VpcLayout.Namespace, vpcId, cancellationToken).ConfigureAwait(false) ?? new VpcLayout();
            var subnets = new List<SubnetTopology>(layout.Subnets.Count);
            foreach (var (subnetId, cidr) in layout.Subnets.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                var addresses = await KeyValues.ReadAsync<SubnetAddresses>(store, SubnetAddresses.Namespace, subnetId, cancellationToken).ConfigureAwait(false);
                subnets.Add(new SubnetTopology(subnetId, cidr, addresses?.Allocations ?? new Dictionary<string, AddressHolder>(StringComparer.Ordinal)));
            }

            result.Add(new VpcTopology(vpcId, registered.Account, registered.Cidr, VpcService.SpecOf(vpc).IsDefault, subnets));
        }

        return result;
    }

    /// <summary>
    /// Who holds <paramref name="address"/> in some subnet of the installation, or null. VPC ranges do not overlap on
    /// an installation, so an address names at most one subnet.
    /// </summary>
    public static async Task<AddressHolder?> FindHolderAsync(IResourceStore store, IPAddress address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(address);
        var v4 = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        if (v4.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            return null;
        }

        var value = Ipv4Range.ToUInt32(v4);
        var registry = await KeyValues.ReadAsync<VpcRegistry>(store, VpcRegistry.Namespace, VpcRegistry.Key, cancellationToken).ConfigureAwait(false) ?? new VpcRegistry();
        foreach (var (vpcId, registered) in registry.Vpcs)
        {
            if (!Ipv4Range.Parse(registered.Cidr).Contains(value))
            {
                continue;
            }

            var layout = await KeyValues.ReadAsync<VpcLayout>(store, VpcLayout.Namespace, vpcId, cancellationToken).ConfigureAwait(false) ?? new VpcLayout();
            foreach (var (subnetId, cidr) in layout.Subnets)
            {
                if (Ipv4Range.Parse(cidr).Contains(value))
                {
                    var addresses = await KeyValues.ReadAsync<SubnetAddresses>(store, SubnetAddresses.Namespace, subnetId, cancellationToken).ConfigureAwait(false);
                    return addresses?.Allocations.GetValueOrDefault(v4.ToString());
                }
            }

            return null;
        }

        return null;
    }
}

/// <summary>A VPC as the data path needs it: its range, whether it is its account's default VPC (which reaches the host's networks through NAT), its subnets.</summary>
public sealed record VpcTopology(string Id, string Account, string Cidr, bool IsDefault, IReadOnlyList<SubnetTopology> Subnets);

/// <summary>A subnet: its range (its gateway is the first address after the network address) and who holds which address.</summary>
public sealed record SubnetTopology(string Id, string Cidr, IReadOnlyDictionary<string, AddressHolder> Allocations)
{
    /// <summary>The gateway with the subnet's prefix, e.g. <c>10.10.1.1/24</c>: an address of the VPC's bridge.</summary>
    public string GatewayWithPrefix
    {
        get
        {
            var range = Ipv4Range.Parse(Cidr);
            return Ipv4Range.Format(range.Gateway) + "/" + range.PrefixLength.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
