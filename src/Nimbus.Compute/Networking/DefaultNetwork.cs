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

namespace Nimbus.Compute.Networking;

/// <summary>
/// The one network every instance joins until the networking service brings VPCs: a Linux bridge with a private
/// range (<see cref="ComputeOptions.NetworkCidr"/>), the gateway address on the bridge, NAT to the host's networks,
/// and IPAM in the store. Addresses are allocated when an instance is run (in the same unit of work), kept across
/// stops and starts, and released when it is terminated.
/// </summary>
public sealed partial class DefaultNetwork(IResourceStore store, INetworkNode node, SecurityGroupFilter filter, ComputeOptions options, ILogger<DefaultNetwork> logger)
{
    public const string Id = "default";
    public const string Namespace = "network.networks";
    public const string InterfacePrefix = "eni";

    private readonly SemaphoreSlim _ready = new(1, 1);
    private readonly SemaphoreSlim _apply = new(1, 1);
    private NetworkState? _readyState;

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

    /// <summary>Gives the instance's address back, in the caller's unit of work; nothing to do when it holds none.</summary>
    public async Task ReleaseAsync(IStoreWriter writer, string instanceId, InstanceInterfaceSpec? networkInterface, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
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
        (await ReadAsync(cancellationToken).ConfigureAwait(false)).Allocations.Count > 0;

    /// <summary>Who holds <paramref name="address"/> in the default network, or null.</summary>
    public async Task<IpAllocation?> FindAsync(IPAddress address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        var state = await ReadAsync(cancellationToken).ConfigureAwait(false);
        var text = (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
        return state.Allocations.GetValueOrDefault(text);
    }

    /// <summary>
    /// Brings the node's ruleset (NAT, metadata redirect, anti-spoofing of every interface) in line with the store,
    /// leaving out <paramref name="excludingInstance"/> (one being terminated, whose address is released in the unit
    /// that marks it terminated: the rules go first, so that a terminated instance never has rules left).
    /// </summary>
    public async Task ApplyRulesAsync(CancellationToken cancellationToken, string? excludingInstance = null)
    {
        await _apply.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var state = await ReadAsync(cancellationToken).ConfigureAwait(false);
            var range = RangeOf(state);
            var filtered = await filter.BuildAsync(
                options.NftTable + "_filter",
                [.. state.Allocations.Select(a => (a.Value.Account, a.Value.InstanceId, a.Key))],
                cancellationToken).ConfigureAwait(false);
            await node.ApplyRulesAsync(
                new NetworkRuleset
                {
                    Table = options.NftTable,
                    Bridge = state.Bridge,
                    Cidr = state.Cidr,
                    Gateway = Ipv4Range.Format(range.Gateway),
                    MetadataPort = MetadataPort,
                    Interfaces =
                    [
                        .. state.Allocations.Where(a => a.Value.InstanceId != excludingInstance).OrderBy(a => a.Key, StringComparer.Ordinal)
                            .Select(a => new RulesetInterface(a.Value.InstanceId, a.Key)),
                    ],
                    Filter = filtered,
                    Edge = await EdgeAsync(state, range, excludingInstance, cancellationToken).ConfigureAwait(false),
                },
                cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _apply.Release();
        }
    }

    /// <summary>The interface <paramref name="interfaceId"/> and its address, read in the caller's unit of work; null when no instance has it.</summary>
    public async Task<(string Address, IpAllocation Holder)?> FindInterfaceAsync(IStoreWriter writer, string interfaceId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var state = await ReadAsync(writer, cancellationToken).ConfigureAwait(false);
        foreach (var (address, holder) in state.Allocations)
        {
            if (holder.InterfaceId == interfaceId)
            {
                return (address, holder);
            }
        }

        return null;
    }

    /// <summary>
    /// Elastic IPs of the pool: each associated one maps to its private IP while that instance still holds the
    /// address and is not <paramref name="excludingInstance"/>.
    /// </summary>
    private async Task<EdgeRuleset> EdgeAsync(NetworkState state, Ipv4Range range, string? excludingInstance, CancellationToken cancellationToken)
    {
        var pool = await ElasticIps.ElasticIpService.ReadAsync(store, cancellationToken).ConfigureAwait(false);
        return new EdgeRuleset
        {
            Table = options.NftTable + "_edge",
            Pool = options.ElasticIpPool,
            Device = options.ElasticIpDevice,
            Bridges = [state.Bridge],
            InternalCidrs = [state.Cidr],
            Gateway = Ipv4Range.Format(range.Gateway),
            ElasticIps =
            [
                .. pool.Addresses.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => new ElasticIpMapping(
                    a.Key,
                    a.Value.PrivateIpAddress is { } privateIp && a.Value.InstanceId != excludingInstance
                        && state.Allocations.TryGetValue(privateIp, out var holder) && holder.InstanceId == a.Value.InstanceId
                        ? privateIp
                        : null)),
            ],
        };
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

    [LoggerMessage(EventId = 5400, Level = LogLevel.Information, Message = "Default network ready: bridge {Bridge}, range {Cidr}")]
    private partial void LogReady(string bridge, string cidr);
}
