using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Nimbus.Compute.Networking.SecurityGroups;
using Nimbus.Compute.Node;
using Nimbus.Contracts.Compute;
using Nimbus.Contracts.Errors;
using Nimbus.Core.Api;
using Nimbus.Core.Errors;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;
using Nimbus.Network.Addressing;
using Nimbus.Network.Subnets;
using Nimbus.Network.Topology;

namespace Nimbus.Compute.Networking;

/// <summary>
/// The node's networks: the compute service's legacy default network (a Linux bridge with a private range,
/// <see cref="ComputeOptions.NetworkCidr"/>, whose gateway also carries the metadata service; instances run before VPCs
/// keep their address on it until terminated) and a bridge per VPC with interfaces on the node. Rebuilds the data
/// path (bridges, the one nftables ruleset) from the store.
/// </summary>
public sealed partial class DefaultNetwork(IResourceStore store, INetworkNode node, SecurityGroupFilter filter, ComputeOptions options, ILogger<DefaultNetwork> logger)
{
    public const string Id = "default";
    public const string Namespace = "network.networks";
    public const string InterfacePrefix = "eni";

    private readonly SemaphoreSlim _ready = new(1, 1);
    private readonly SemaphoreSlim _apply = new(1, 1);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _leaving = new(StringComparer.Ordinal);
    private long _applyRequested;
    private long _appliedThrough;
    private NetworkState? _readyState;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _bridges = new(StringComparer.Ordinal);

    /// <summary>Host port of the metadata service on the gateway, once it listens; the ruleset redirects 169.254.169.254:80 there.</summary>
    public int? MetadataPort { get; set; }

    /// <summary>The network's bridge, range and gateway as they are now (the stored record wins over the options once it exists).</summary>
    public NetworkState? Current => _readyState;

    /// <summary>Creates the bridge (once per process; again after a failure). Throws <see cref="NodeException"/> naming what is missing.</summary>
    public async Task<NetworkState> EnsureReadyAsync(CancellationToken cancellationToken)
    {
        if (_readyState is { } ready)
        {
            return ready;
        }

        await _ready.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_readyState is { } again)
            {
                return again;
            }

            var state = await ReadAsync(cancellationToken).ConfigureAwait(false);
            if (state.Cidr != options.NetworkCidr || state.Bridge != options.BridgeName)
            {
                LogConfigurationIgnored(state.Cidr, state.Bridge, options.NetworkCidr, options.BridgeName);
            }

            var range = RangeOf(state);
            await node.EnsureBridgeAsync(new BridgeSetup(state.Bridge, Ipv4Range.Format(range.Gateway), range.PrefixLength), cancellationToken).ConfigureAwait(false);
            LogReady(state.Bridge, state.Cidr);
            _readyState = state;
            return state;
        }
        finally
        {
            _ready.Release();
        }
    }

    /// <summary>Takes a free address for a new instance's interface, in the caller's unit of work; <c>IpAddressExhausted</c> when none is left.</summary>
    public async Task<InstanceInterfaceSpec> AllocateAsync(IStoreWriter writer, string account, string instanceId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        await writer.LockKeyAsync(Namespace, Id, cancellationToken).ConfigureAwait(false);
        var state = await ReadAsync(writer, cancellationToken).ConfigureAwait(false);
        var range = RangeOf(state);
        var (first, last) = range.Usable;
        var usable = (long)last - first + 1;
        if (state.Allocations.Count >= usable)
        {
            throw new NimbusException(ErrorCodes.IpAddressExhausted, 409,
                $"The default network {state.Cidr} has no free address left ({usable} usable addresses, all held). Terminate instances to free addresses.");
        }

        for (long step = 0; step < usable; step++)
        {
            var offset = (state.Cursor + step) % usable;
            var address = Ipv4Range.Format((uint)(first + offset));
            if (state.Allocations.ContainsKey(address))
            {
                continue;
            }

            var interfaceId = ResourceIds.New(InterfacePrefix);
            var allocations = new Dictionary<string, IpAllocation>(state.Allocations, StringComparer.Ordinal)
            {
                [address] = new IpAllocation { InterfaceId = interfaceId, InstanceId = instanceId, Account = account },
            };
            await WriteAsync(writer, state with { Cursor = (offset + 1) % usable, Allocations = allocations }, cancellationToken).ConfigureAwait(false);
            return new InstanceInterfaceSpec
            {
                InterfaceId = interfaceId,
                NetworkId = state.Id,
                PrivateIpAddress = address,
                PrefixLength = range.PrefixLength,
                Gateway = Ipv4Range.Format(range.Gateway),
                MacAddress = Ipv4Range.MacFor((uint)(first + offset)),
            };
        }

        throw new InvalidOperationException("no free address found although the count said there was one");
    }

    /// <summary>Gives the instance's address back (to its subnet, or to the legacy network), in the caller's unit of work; nothing to do when it holds none.</summary>
    public async Task ReleaseAsync(IStoreWriter writer, string instanceId, InstanceInterfaceSpec? networkInterface, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (networkInterface?.SubnetId is { } subnetId)
        {
            await SubnetIpam.ReleaseAsync(writer, subnetId, networkInterface.PrivateIpAddress, networkInterface.InterfaceId, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (networkInterface is null || networkInterface.NetworkId != Id)
        {
            return;
        }

        await writer.LockKeyAsync(Namespace, Id, cancellationToken).ConfigureAwait(false);
        var state = await ReadAsync(writer, cancellationToken).ConfigureAwait(false);
        if (state.Allocations.TryGetValue(networkInterface.PrivateIpAddress, out var held) && held.InstanceId == instanceId)
        {
            var allocations = new Dictionary<string, IpAllocation>(state.Allocations, StringComparer.Ordinal);
            allocations.Remove(networkInterface.PrivateIpAddress);
            await WriteAsync(writer, state with { Allocations = allocations }, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>True when some instance holds an address (so the network must be up from the start).</summary>
    public async Task<bool> HasAllocationsAsync(CancellationToken cancellationToken) =>
        (await ReadAsync(cancellationToken).ConfigureAwait(false)).Allocations.Count > 0
        || (await NetworkTopology.ReadAsync(store, cancellationToken).ConfigureAwait(false)).Any(v => v.Subnets.Any(s => s.Allocations.Values.Any(a => a.InstanceId is not null)));

    /// <summary>Which instance holds <paramref name="address"/> (in the legacy network or a VPC subnet), or null.</summary>
    public async Task<IpAllocation?> FindAsync(IPAddress address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        var state = await ReadAsync(cancellationToken).ConfigureAwait(false);
        var text = (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
        if (state.Allocations.GetValueOrDefault(text) is { } legacy)
        {
            return legacy;
        }

        return await NetworkTopology.FindHolderAsync(store, address, cancellationToken).ConfigureAwait(false) is { InstanceId: { } instanceId } holder
            ? new IpAllocation { InterfaceId = holder.InterfaceId, InstanceId = instanceId, Account = holder.Account }
            : null;
    }

    /// <summary>Name of a VPC's bridge: <c>nb</c> and its id without <c>vpc-</c> (14 characters, within the kernel's 15).</summary>
    public static string VpcBridgeName(string vpcId)
    {
        ArgumentNullException.ThrowIfNull(vpcId);
        var name = "nb" + (vpcId.StartsWith("vpc-", StringComparison.Ordinal) ? vpcId[4..] : vpcId);
        return name.Length > 15 ? name[..15] : name;
    }

    /// <summary>The alias that marks this installation's VPC bridges (its nftables table name is unique on the host).</summary>
    public string BridgeOwner => "nimbus:" + options.NftTable;

    /// <summary>Makes the VPC's bridge with every subnet's gateway (unless it is there as it should be); returns its name.</summary>
    public async Task<string> EnsureVpcBridgeAsync(string vpcId, CancellationToken cancellationToken)
    {
        var topology = await NetworkTopology.ReadAsync(store, cancellationToken).ConfigureAwait(false);
        var vpc = topology.FirstOrDefault(v => v.Id == vpcId) ?? throw new NodeException($"VPC {vpcId} no longer exists");
        return await EnsureVpcBridgeAsync(vpc, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Brings the node's data path in line with the store: a bridge for every VPC that has interfaces, kept while the VPC
    /// exists (bridges of VPCs deleted go with the veths and namespaces still on them) and the one ruleset (NAT, the
    /// metadata redirect, isolation between networks, anti-spoofing of every interface, security groups), leaving out
    /// <paramref name="excludingInstance"/> (one being terminated, whose address is released in the unit that marks it
    /// terminated: the rules go first, so that a terminated instance never has rules left).
    /// </summary>
    public async Task ApplyRulesAsync(CancellationToken cancellationToken, string? excludingInstance = null)
    {
        if (excludingInstance is not null)
        {
            _leaving[excludingInstance] = true;
        }

        // Applies coalesce: 50 instances starting at once need one or two rebuilds, not 50 in a row. A caller's
        // store writes precede its ticket, so an apply that read the store after the ticket was taken covers it.
        var ticket = Interlocked.Increment(ref _applyRequested);
        await _apply.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Volatile.Read(ref _appliedThrough) >= ticket)
            {
                return;
            }

            var through = Volatile.Read(ref _applyRequested);
            var state = await ReadAsync(cancellationToken).ConfigureAwait(false);
            var range = RangeOf(state);
            var topology = await NetworkTopology.ReadAsync(store, cancellationToken).ConfigureAwait(false);

            // Instances being terminated keep their address in the store until the unit that marks them terminated;
            // their rules go first. Once the address is released they leave the list.
            var allocated = state.Allocations.Select(a => a.Value.InstanceId)
                .Concat(topology.SelectMany(v => v.Subnets).SelectMany(s => s.Allocations).Select(a => a.Value.InstanceId ?? ""))
                .ToHashSet(StringComparer.Ordinal);
            foreach (var gone in _leaving.Keys.Where(id => !allocated.Contains(id)))
            {
                _leaving.TryRemove(gone, out _);
            }

            // Addresses of secondary interfaces (device index 1 and up) sit on their own veth and are filtered by the
            // interface's groups (its membership key is its id); every other address by its instance's.
            var interfaces = new List<(string Account, string InstanceId, string Address, string? Secondary)>();
            interfaces.AddRange(state.Allocations.Where(a => !_leaving.ContainsKey(a.Value.InstanceId)).Select(a => (a.Value.Account, a.Value.InstanceId, a.Key, (string?)null)));
            var vpcBridges = new Dictionary<string, string>(StringComparer.Ordinal);
            var uncheckedAddresses = new HashSet<string>(StringComparer.Ordinal);
            var checksOff = (await Appliances.SourceDestChecks.ReadAsync(store, cancellationToken).ConfigureAwait(false)).Off.ToHashSet(StringComparer.Ordinal);
            var networks = new List<RulesetNetwork> { new() { Id = Id, Bridge = state.Bridge, Cidr = state.Cidr, Masquerade = true } };
            var desiredBridges = new HashSet<string>(StringComparer.Ordinal);
            var presentBridges = (await node.ListVpcBridgesAsync(BridgeOwner, cancellationToken).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
            foreach (var vpc in topology)
            {
                var held = vpc.Subnets.SelectMany(s => s.Allocations)
                    .Where(a => a.Value.InstanceId is { } instance && !_leaving.ContainsKey(instance))
                    .Select(a => (a.Value.Account, a.Value.InstanceId!, a.Key, a.Value.DeviceIndex > 0 ? a.Value.InterfaceId : null)).ToList();

                // A VPC's bridge stays while the VPC exists, with or without interfaces: made on first use, removed with
                // the VPC. Removing it with its last interface made the next start build it again (an ip process and
                // ~10 ms of a one-at-a-time start, measured with strace). A VPC never used on this node gets none.
                if (held.Count == 0 && !presentBridges.Contains(VpcBridgeName(vpc.Id)))
                {
                    continue;
                }

                var bridge = await EnsureVpcBridgeAsync(vpc, cancellationToken).ConfigureAwait(false);
                desiredBridges.Add(bridge);
                vpcBridges[vpc.Id] = bridge;
                if (checksOff.Count > 0)
                {
                    uncheckedAddresses.UnionWith(vpc.Subnets.SelectMany(s => s.Allocations).Where(a => checksOff.Contains(a.Value.InterfaceId)).Select(a => a.Key));
                }

                networks.Add(new RulesetNetwork { Id = vpc.Id, Bridge = bridge, Cidr = vpc.Cidr, Masquerade = vpc.IsDefault });
                interfaces.AddRange(held);
            }

            var natFlows = await NatGateways.NatFlows.ReadAsync(store, topology, cancellationToken).ConfigureAwait(false);
            var heldAddresses = interfaces.Select(i => i.Address).ToHashSet(StringComparer.Ordinal);
            var filtered = await filter.BuildAsync(options.NftTable + "_filter", [.. interfaces.Select(i => (i.Account, i.Secondary ?? i.InstanceId, i.Address))], cancellationToken).ConfigureAwait(false);
            await node.ApplyRulesAsync(
                new NetworkRuleset
                {
                    Table = options.NftTable,
                    MetadataAddress = Ipv4Range.Format(range.Gateway),
                    MetadataPort = MetadataPort,
                    Networks = networks,
                    PeeredFlows = await Nimbus.Network.Peerings.PeeredFlows.ReadAsync(store, topology, cancellationToken).ConfigureAwait(false),
                    Interfaces =
                    [
                        .. interfaces.OrderBy(i => i.Address, StringComparer.Ordinal)
                            .Select(i => new RulesetInterface(i.InstanceId, i.Address) { InterfaceId = i.Secondary, SourceDestCheck = !uncheckedAddresses.Contains(i.Address) }),
                    ],
                    SubnetRoutes = await Appliances.ApplianceRoutes.ReadAsync(store, topology, vpcBridges, _leaving.ContainsKey, cancellationToken).ConfigureAwait(false),
                    Filter = filtered,
                    NatFlows = natFlows,
                    Edge = await EdgeAsync(networks, [.. interfaces.Select(i => (i.Account, i.InstanceId, i.Address))], cancellationToken).ConfigureAwait(false) with
                    {
                        NatFlows = natFlows,

                        // Only to addresses an interface holds: DNAT to an address no bridge routes would follow the host's default route out.
                        PortForwards = [.. (await NatGateways.NatFlows.ReadPortForwardsAsync(store, cancellationToken).ConfigureAwait(false)).Where(f => heldAddresses.Contains(f.PrivateIpAddress))],
                    },
                },
                cancellationToken).ConfigureAwait(false);

            foreach (var leftover in presentBridges)
            {
                if (!desiredBridges.Contains(leftover))
                {
                    await RemoveBridgeAsync(leftover, cancellationToken).ConfigureAwait(false);
                }
            }

            Volatile.Write(ref _appliedThrough, through);
        }
        finally
        {
            _apply.Release();
        }
    }

    /// <summary>
    /// The interface <paramref name="interfaceId"/>'s holder: looked up in the legacy network (in the caller's unit of
    /// work) and in the VPC subnets (as stored now; the caller checks the instance it names in its own unit).
    /// </summary>
    public async Task<IpAllocation?> FindInterfaceAsync(IStoreWriter writer, string interfaceId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var state = await ReadAsync(writer, cancellationToken).ConfigureAwait(false);
        foreach (var holder in state.Allocations.Values)
        {
            if (holder.InterfaceId == interfaceId)
            {
                return holder;
            }
        }

        foreach (var vpc in await NetworkTopology.ReadAsync(store, cancellationToken).ConfigureAwait(false))
        {
            foreach (var holder in vpc.Subnets.SelectMany(s => s.Allocations.Values))
            {
                if (holder.InterfaceId == interfaceId && holder.InstanceId is { } instanceId)
                {
                    return new IpAllocation { InterfaceId = holder.InterfaceId, InstanceId = instanceId, Account = holder.Account };
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Elastic IPs of the pool: each associated one maps to its private IP while that instance still holds the
    /// address (and is not being terminated: <paramref name="interfaces"/> leaves it out).
    /// </summary>
    private async Task<EdgeRuleset> EdgeAsync(IReadOnlyList<RulesetNetwork> networks, IReadOnlyList<(string Account, string InstanceId, string Address)> interfaces, CancellationToken cancellationToken)
    {
        var pool = await ElasticIps.ElasticIpService.ReadAsync(store, cancellationToken).ConfigureAwait(false);
        var holders = interfaces.ToDictionary(i => i.Address, i => i.InstanceId, StringComparer.Ordinal);
        return new EdgeRuleset
        {
            Table = options.NftTable + "_edge",
            Pool = options.ElasticIpPool,
            Device = options.ElasticIpDevice,
            Bridges = [.. networks.Select(n => n.Bridge)],
            InternalCidrs = [.. networks.Select(n => n.Cidr)],
            ElasticIps =
            [
                .. pool.Addresses.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => new ElasticIpMapping(
                    a.Key,
                    a.Value.PrivateIpAddress is { } privateIp && holders.TryGetValue(privateIp, out var holder) && holder == a.Value.InstanceId
                        ? privateIp
                        : null)),
            ],
        };
    }

    private async Task<string> EnsureVpcBridgeAsync(VpcTopology vpc, CancellationToken cancellationToken)
    {
        var bridge = VpcBridgeName(vpc.Id);
        var addresses = vpc.Subnets.Select(s => s.GatewayWithPrefix).Order(StringComparer.Ordinal).ToList();
        var key = string.Join(',', addresses);

        // Made once per process and whenever the VPC's subnets change (a start after a restart checks every bridge again).
        if (_bridges.TryGetValue(bridge, out var made) && made == key)
        {
            return bridge;
        }

        await node.EnsureVpcBridgeAsync(new VpcBridgeSetup(bridge, BridgeOwner, addresses), cancellationToken).ConfigureAwait(false);
        _bridges[bridge] = key;
        LogVpcBridgeReady(bridge, vpc.Id, key);
        return bridge;
    }

    /// <summary>Removes the bridge of a VPC that no longer exists, with whatever veths and namespaces are still on it.</summary>
    private async Task RemoveBridgeAsync(string bridge, CancellationToken cancellationToken)
    {
        foreach (var item in await node.InventoryAsync(bridge, options.NftTable, cancellationToken).ConfigureAwait(false))
        {
            if (item.Kind == "veth")
            {
                await node.RemoveInterfaceAsync(options.BridgeName, item.Id, cancellationToken).ConfigureAwait(false);
            }
        }

        await node.RemoveBridgeAsync(bridge, cancellationToken).ConfigureAwait(false);
        _bridges.TryRemove(bridge, out _);
        LogVpcBridgeRemoved(bridge);
    }

    private NetworkState Initial()
    {
        _ = Ipv4Range.TryParse(options.NetworkCidr, out var error) ?? throw new InvalidOperationException($"ComputeOptions.NetworkCidr {options.NetworkCidr} {error}");
        return new NetworkState { Id = Id, Cidr = options.NetworkCidr, Bridge = options.BridgeName };
    }

    private static Ipv4Range RangeOf(NetworkState state) =>
        Ipv4Range.TryParse(state.Cidr, out var error) ?? throw new InvalidOperationException($"network {state.Id} has a bad range {state.Cidr}: {error}");

    private async Task<NetworkState> ReadAsync(CancellationToken cancellationToken)
    {
        var value = await store.GetValueAsync(Namespace, Id, cancellationToken).ConfigureAwait(false);
        return value is null ? Initial() : JsonSerializer.Deserialize<NetworkState>(value, NimbusJson.Options)!;
    }

    private async Task<NetworkState> ReadAsync(IStoreWriter writer, CancellationToken cancellationToken)
    {
        var value = await writer.GetValueAsync(Namespace, Id, cancellationToken).ConfigureAwait(false);
        return value is null ? Initial() : JsonSerializer.Deserialize<NetworkState>(value, NimbusJson.Options)!;
    }

    private static Task WriteAsync(IStoreWriter writer, NetworkState state, CancellationToken cancellationToken) =>
        writer.PutValueAsync(Namespace, Id, JsonSerializer.SerializeToUtf8Bytes(state, NimbusJson.Options), cancellationToken);

    [LoggerMessage(EventId = 5403, Level = LogLevel.Warning, Message = "The default network exists as {Cidr} on bridge {Bridge}; the configured {ConfiguredCidr} on {ConfiguredBridge} is ignored while it does (instances hold its addresses)")]
    private partial void LogConfigurationIgnored(string cidr, string bridge, string configuredCidr, string configuredBridge);

    [LoggerMessage(EventId = 5404, Level = LogLevel.Information, Message = "VPC bridge {Bridge} of {VpcId} ready with gateways {Gateways}")]
    private partial void LogVpcBridgeReady(string bridge, string vpcId, string gateways);

    [LoggerMessage(EventId = 5405, Level = LogLevel.Information, Message = "VPC bridge {Bridge} removed: its VPC was deleted")]
    private partial void LogVpcBridgeRemoved(string bridge);

    [LoggerMessage(EventId = 5400, Level = LogLevel.Information, Message = "Default network ready: bridge {Bridge}, range {Cidr}")]
    private partial void LogReady(string bridge, string cidr);
}
