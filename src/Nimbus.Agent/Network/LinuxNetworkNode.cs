using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Nimbus.Agent.Linux;
using Nimbus.Agent.Linux.Netlink;
using Nimbus.Compute.Node;

namespace Nimbus.Agent.Network;

/// <summary>
/// Networks on this machine with rtnetlink from this process (an instance's namespace and interface: see
/// <see cref="EnsureInterfaceAsync"/>), iproute2 (bridges, secondary interfaces) and nftables (never iptables). Each
/// instance's interface lives in a named
/// network namespace (<c>/run/netns/&lt;bridge&gt;-&lt;instance-id&gt;</c>, a bind mount that outlives this process,
/// so running instances keep their network across Nimbus restarts; <c>/run</c> is a tmpfs, so a host reboot starts
/// clean and the controller creates it again when it starts the instance). The container joins that namespace.
/// The host end of the veth pair is <c>nv&lt;id without "i-"&gt;</c> (15 characters at most, the kernel's limit).
/// </summary>
public sealed partial class LinuxNetworkNode(ILogger<LinuxNetworkNode> logger) : INetworkNode
{
    private const string NamespaceDirectory = "/run/netns";
    private const string VethPrefix = "nv";
    private readonly SemaphoreSlim _rules = new(1, 1);

    /// <summary>What <see cref="SyncEdgeAsync"/> last made the elastic IP device hold (device, pool, addresses), or null.</summary>
    private string? _syncedEdge;

    /// <summary>Namespaces made by <see cref="EnsureNamespaceAsync"/> whose veth is not made yet, with a socket inside each.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, RtNetlink> _fresh = new(StringComparer.Ordinal);

    // What this process last applied per network (by table name): the base of the next delta.
    private readonly Dictionary<string, AppliedRuleset> _applied = new(StringComparer.Ordinal);

    public string NamespacePathOf(string bridge, string instanceId) => Path.Combine(NamespaceDirectory, NamespaceName(bridge, instanceId));

    public async Task EnsureBridgeAsync(BridgeSetup bridge, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bridge);
        await CreateBridgeAsync(bridge.Bridge, cancellationToken).ConfigureAwait(false);
        await RunAsync(Ip(), ["addr", "replace", $"{bridge.Gateway}/{bridge.PrefixLength}", "dev", bridge.Bridge], cancellationToken).ConfigureAwait(false);
        await BringUpAsync(bridge.Bridge, cancellationToken).ConfigureAwait(false);
    }

    public async Task EnsureVpcBridgeAsync(VpcBridgeSetup bridge, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bridge);
        var ip = Ip();
        if (!Directory.Exists(Path.Combine("/sys/class/net", bridge.Bridge)))
        {
            // A new bridge is made, marked, addressed and brought up by one ip process (a VPC's first instance waits on
            // it). Two instances of a new VPC may race here: the loser finds the bridge made and checks it below.
            try
            {
                await BatchAsync(
                    ip,
                    null,
                    [
                        $"link add {bridge.Bridge} type bridge",
                        $"link set {bridge.Bridge} alias {bridge.Owner}",
                        .. bridge.Addresses.Select(a => $"addr replace {a} dev {bridge.Bridge}"),
                        $"link set {bridge.Bridge} type bridge nf_call_iptables 1",
                        $"link set {bridge.Bridge} up",
                    ],
                    cancellationToken).ConfigureAwait(false);
                await CheckFilteringAndForwardingAsync(bridge.Bridge, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (NodeException) when (Directory.Exists(Path.Combine("/sys/class/net", bridge.Bridge)))
            {
            }
        }

        // The alias marks the bridge as this installation's, so that a start can find and remove the bridges of VPCs
        // deleted meanwhile without touching another installation's (parallel test servers share one host).
        await RunAsync(ip, ["link", "set", bridge.Bridge, "alias", bridge.Owner], cancellationToken).ConfigureAwait(false);
        var listed = await ProcessRunner.RunAsync(ip, ["-j", "-4", "addr", "show", "dev", bridge.Bridge], cancellationToken).ConfigureAwait(false);
        var present = listed.ExitCode == 0 ? AddressesOf(listed.Stdout) : [];
        foreach (var stale in present.Except(bridge.Addresses, StringComparer.Ordinal))
        {
            await RunAsync(ip, ["addr", "del", stale, "dev", bridge.Bridge], cancellationToken, ignore: "Cannot assign").ConfigureAwait(false);
        }

        foreach (var address in bridge.Addresses.Except(present, StringComparer.Ordinal))
        {
            await RunAsync(ip, ["addr", "replace", address, "dev", bridge.Bridge], cancellationToken).ConfigureAwait(false);
        }

        await BringUpAsync(bridge.Bridge, cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<string>> ListVpcBridgesAsync(string owner, CancellationToken cancellationToken)
    {
        var result = new List<string>();
        foreach (var directory in Directory.Exists("/sys/class/net") ? Directory.EnumerateFileSystemEntries("/sys/class/net") : [])
        {
            var alias = Path.Combine(directory, "ifalias");
            if (Directory.Exists(Path.Combine(directory, "bridge")) && File.Exists(alias) && File.ReadAllText(alias).Trim() == owner)
            {
                result.Add(Path.GetFileName(directory));
            }
        }

        return Task.FromResult<IReadOnlyList<string>>(result);
    }

    public async Task RemoveBridgeAsync(string bridge, CancellationToken cancellationToken)
    {
        if (Directory.Exists(Path.Combine("/sys/class/net", bridge)))
        {
            await RunAsync(Ip(), ["link", "del", bridge], cancellationToken, ignore: "Cannot find device").ConfigureAwait(false);
        }
    }

    private static async Task CreateBridgeAsync(string bridge, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(Path.Combine("/sys/class/net", bridge)))
        {
            await RunAsync(Ip(), ["link", "add", bridge, "type", "bridge"], cancellationToken, ignore: "File exists").ConfigureAwait(false);
        }
    }

    private async Task BringUpAsync(string bridge, CancellationToken cancellationToken)
    {
        var ip = Ip();
        await RunAsync(ip, ["link", "set", bridge, "up"], cancellationToken).ConfigureAwait(false);

        // Security groups filter in the inet family with conntrack (see FilterRulesetText): this bridge, and only this
        // one, hands its IPv4 frames to those hooks. It needs br_netfilter in the kernel.
        await RunAsync(ip, ["link", "set", bridge, "type", "bridge", "nf_call_iptables", "1"], cancellationToken).ConfigureAwait(false);
        await CheckFilteringAndForwardingAsync(bridge, cancellationToken).ConfigureAwait(false);
    }

    private async Task CheckFilteringAndForwardingAsync(string bridge, CancellationToken cancellationToken)
    {
        var callIptables = Path.Combine("/sys/class/net", bridge, "bridge", "nf_call_iptables");
        if (!File.Exists(callIptables) || (await File.ReadAllTextAsync(callIptables, cancellationToken).ConfigureAwait(false)).Trim() != "1")
        {
            throw new NodeException($"bridge {bridge} does not pass its traffic to nftables (nf_call_iptables is off): security groups need br_netfilter; run modprobe br_netfilter (kernel option CONFIG_BRIDGE_NETFILTER)");
        }

        // NAT to the host's networks, and routing between the subnets of a VPC, forward packets.
        const string forwarding = "/proc/sys/net/ipv4/ip_forward";
        if (File.Exists(forwarding) && (await File.ReadAllTextAsync(forwarding, cancellationToken).ConfigureAwait(false)).Trim() != "1")
        {
            await File.WriteAllTextAsync(forwarding, "1", cancellationToken).ConfigureAwait(false);
            LogForwardingEnabled();
        }
    }

    /// <summary>The IPv4 addresses of <c>ip -j addr show</c> as <c>address/prefix</c>.</summary>
    private static List<string> AddressesOf(string json)
    {
        var result = new List<string>();
        using var document = JsonDocument.Parse(json.Length == 0 ? "[]" : json);
        foreach (var link in document.RootElement.EnumerateArray())
        {
            if (link.TryGetProperty("addr_info", out var addresses))
            {
                foreach (var address in addresses.EnumerateArray())
                {
                    if (address.TryGetProperty("local", out var local) && address.TryGetProperty("prefixlen", out var prefix))
                    {
                        result.Add(local.GetString() + "/" + prefix.GetInt32().ToString(CultureInfo.InvariantCulture));
                    }
                }
            }
        }

        return result;
    }

    public async Task<string> EnsureNamespaceAsync(string prefix, string instanceId, CancellationToken cancellationToken)
    {
        var name = NamespaceName(prefix, instanceId);
        var path = NamespacePathOf(prefix, instanceId);
        if (!File.Exists(path))
        {
            var inside = await Netlink(() => CreateNamespace(path), cancellationToken).ConfigureAwait(false);
            if (inside is not null && !_fresh.TryAdd(name, inside))
            {
                inside.Dispose();
            }
        }

        return path;
    }

    public async Task<string> EnsureInterfaceAsync(InterfaceSetup setup, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var name = NamespaceName(setup.NamespacePrefix ?? setup.Bridge, setup.InstanceId);
        var path = NamespacePathOf(setup.NamespacePrefix ?? setup.Bridge, setup.InstanceId);
        var veth = VethName(setup.InstanceId);
        var mac = Convert.FromHexString(setup.MacAddress.Replace(":", "", StringComparison.Ordinal));
        var prefix = setup.PrefixLength;
        var addresses = new[] { setup.PrivateIpAddress }.Concat(setup.SecondaryAddresses).Select(System.Net.IPAddress.Parse).ToList();
        var gateway = System.Net.IPAddress.Parse(setup.Gateway);

        // Netlink requests from this process instead of `ip` processes (three per start, milliseconds of CPU each): a
        // thread of its own enters the namespace for a socket there (or makes the namespace, if EnsureNamespaceAsync
        // did not), the rest are requests on that socket and on one in the host's namespace.
        await Netlink(
            () =>
            {
                var fresh = _fresh.TryRemove(name, out var inside);
                inside ??= NetworkNamespaces.Open(path);
                if (inside is null)
                {
                    inside = CreateNamespace(path) ?? NetworkNamespaces.Open(path) ?? throw new IOException($"the network namespace {path} vanished while it was set up");
                    fresh = true;
                }

                using (inside)
                using (var host = RtNetlink.Open())
                {
                    var index = host.LinkIndex(veth);
                    if (index is null)
                    {
                        // (A namespace made just now holds nothing yet.) A half-made pair, or an eth0 moved in by hand,
                        // leaves eth0 in the namespace: it goes first.
                        if (!fresh)
                        {
                            inside.DeleteLink("eth0");
                        }

                        using (var target = NetworkNamespaces.OpenNamespace(path) ?? throw new IOException($"the network namespace {path} vanished while it was set up"))
                        {
                            host.AddVethPair(veth, "eth0", mac, (int)target.DangerousGetHandle());
                        }

                        index = host.LinkIndex(veth) ?? throw new IOException($"veth {veth} vanished while it was set up");
                    }

                    // The rest holds for a pair made now and for one found in place (an adopted instance after a
                    // restart, whose bridge may have been made anew): each step leaves a correct setting as it is. A
                    // detached pair's host end stays down and off the bridge until AttachInterfaceAsync.
                    if (!setup.Detached)
                    {
                        var bridge = host.LinkIndex(setup.Bridge) ?? throw new IOException($"bridge {setup.Bridge} does not exist");
                        host.SetUp(index.Value, bridge, veth);
                    }

                    inside.SetUp(1 /* LOOPBACK_IFINDEX: lo in every namespace */, null, "lo");
                    var eth0 = inside.LinkIndex("eth0") ?? throw new IOException($"eth0 is missing in the network namespace {path}");
                    foreach (var address in addresses)
                    {
                        inside.ReplaceAddress(eth0, address, prefix, "eth0");
                    }

                    inside.SetUp(eth0, null, "eth0");
                    inside.ReplaceDefaultRoute(eth0, gateway, "eth0");
                }

                return true;
            },
            cancellationToken).ConfigureAwait(false);
        return path;
    }

    public Task AttachInterfaceAsync(string bridge, string instanceId, CancellationToken cancellationToken)
    {
        var veth = VethName(instanceId);
        return Netlink(
            () =>
            {
                using var host = RtNetlink.Open();
                var index = host.LinkIndex(veth) ?? throw new IOException($"veth {veth} of {instanceId} does not exist");
                var master = host.LinkIndex(bridge) ?? throw new IOException($"bridge {bridge} does not exist");
                host.SetUp(index, master, veth);
                return true;
            },
            cancellationToken);
    }

    /// <summary>Makes the namespace bound at <paramref name="path"/> and returns a socket inside it; null when another caller made it first.</summary>
    private static RtNetlink? CreateNamespace(string path)
    {
        try
        {
            return NetworkNamespaces.Create(path);
        }
        catch (IOException e) when (e.HResult == 17 /* EEXIST */)
        {
            return null;
        }
    }

    /// <summary>Runs netlink work on a thread of its own (it may switch namespaces); its failures are the node's.</summary>
    private static async Task<T> Netlink<T>(Func<T> work, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            return await NetworkNamespaces.OnOwnThreadAsync(work).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new NodeException(e.Message, e);
        }
    }

    public async Task EnsureAttachedInterfaceAsync(AttachedInterfaceSetup setup, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var ip = Ip();
        var name = NamespaceName(setup.NamespacePrefix, setup.InstanceId);
        if (!File.Exists(NamespacePathOf(setup.NamespacePrefix, setup.InstanceId)))
        {
            throw new NodeException($"instance {setup.InstanceId} has no network namespace on this node (it is not running)");
        }

        var veth = AttachedVethName(setup.InterfaceId);
        var device = "eth" + setup.DeviceIndex.ToString(CultureInfo.InvariantCulture);
        var table = RoutingTable(setup.DeviceIndex);
        var host = new List<string>(2);
        if (!Directory.Exists(Path.Combine("/sys/class/net", veth)))
        {
            // A half-made pair leaves the device in the namespace: it goes first.
            await RunAsync(ip, ["-n", name, "link", "del", device], cancellationToken, ignore: "").ConfigureAwait(false);
            host.Add($"link add {veth} type veth peer name {device} address {setup.MacAddress} netns {name}");
        }

        host.Add($"link set {veth} master {setup.Bridge} up");
        await BatchAsync(ip, null, host, cancellationToken).ConfigureAwait(false);

        // Replies from this device's addresses must leave through it (the bridge port's anti-spoofing only lets its own
        // addresses out), whichever device holds a route to the peer: a routing table per device, chosen by source
        // address, as cloud images do for secondary interfaces. The addresses get no route in the main table
        // (noprefixroute), so traffic the instance starts keeps going out of eth0 as before.
        var addresses = new List<string> { setup.PrivateIpAddress };
        addresses.AddRange(setup.SecondaryAddresses);
        var prefix = setup.PrefixLength.ToString(CultureInfo.InvariantCulture);
        await BatchAsync(ip, name, [.. addresses.Select(a => $"rule del from {a} table {table}")], cancellationToken, force: true).ConfigureAwait(false);
        await BatchAsync(
            ip,
            name,
            [
                .. addresses.Select(a => $"addr replace {a}/{prefix} dev {device} noprefixroute"),
                $"link set {device} up",
                $"route replace {setup.SubnetCidr} dev {device} src {setup.PrivateIpAddress} table {table}",
                $"route replace default via {setup.Gateway} dev {device} table {table}",
                .. addresses.Select(a => $"rule add from {a} table {table}"),
            ],
            cancellationToken).ConfigureAwait(false);
    }

    public async Task RemoveAttachedInterfaceAsync(AttachedInterfaceSetup setup, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var ip = Ip();
        var veth = AttachedVethName(setup.InterfaceId);
        if (Directory.Exists(Path.Combine("/sys/class/net", veth)))
        {
            await RunAsync(ip, ["link", "del", veth], cancellationToken, ignore: "Cannot find device").ConfigureAwait(false);
        }

        if (File.Exists(NamespacePathOf(setup.NamespacePrefix, setup.InstanceId)))
        {
            var table = RoutingTable(setup.DeviceIndex);
            await BatchAsync(
                ip,
                NamespaceName(setup.NamespacePrefix, setup.InstanceId),
                [.. new[] { setup.PrivateIpAddress }.Concat(setup.SecondaryAddresses).Select(a => $"rule del from {a} table {table}")],
                cancellationToken,
                force: true).ConfigureAwait(false);
        }
    }

    public async Task RemoveInterfaceAddressAsync(string namespacePrefix, string instanceId, int deviceIndex, string addressWithPrefix, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(addressWithPrefix);
        if (!File.Exists(NamespacePathOf(namespacePrefix, instanceId)))
        {
            return;
        }

        var name = NamespaceName(namespacePrefix, instanceId);
        var device = "eth" + deviceIndex.ToString(CultureInfo.InvariantCulture);
        var commands = new List<string> { $"addr del {addressWithPrefix} dev {device}" };
        if (deviceIndex > 0)
        {
            commands.Add($"rule del from {addressWithPrefix.Split('/')[0]} table {RoutingTable(deviceIndex)}");
        }

        await BatchAsync(Ip(), name, commands, cancellationToken, force: true).ConfigureAwait(false);
    }

    private static string RoutingTable(int deviceIndex) => (100 + deviceIndex).ToString(CultureInfo.InvariantCulture);

    public Task RemoveInterfaceAsync(string bridge, string instanceId, CancellationToken cancellationToken)
    {
        var veth = VethName(instanceId);
        var path = NamespacePathOf(bridge, instanceId);
        if (_fresh.TryRemove(NamespaceName(bridge, instanceId), out var unused))
        {
            unused.Dispose();
        }

        try
        {
            // Both ends of the pair go with the host's end; the namespace with its bind mount (as `ip netns del`).
            if (Directory.Exists(Path.Combine("/sys/class/net", veth)))
            {
                using var host = RtNetlink.Open();
                host.DeleteLink(veth);
            }

            NetworkNamespaces.Delete(path);
        }
        catch (IOException e)
        {
            throw new NodeException(e.Message, e);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Brings the kernel to <paramref name="rules"/> in one <c>nft -f</c> transaction. The first apply of a network in
    /// this process (start-up: it reconciles whatever the kernel had, leftovers included) and any change of the
    /// network's own tables replace all three tables. After that, when only security groups changed, only the delta
    /// of the filter table is applied (<see cref="FilterRulesetDelta"/>); should the kernel refuse it (someone
    /// changed the table by hand), the whole ruleset is applied instead.
    /// </summary>
    public async Task ApplyRulesAsync(NetworkRuleset rules, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var nft = Nft();
        var network = NftRuleset.RenderNetwork(rules, i => i.InterfaceId is { } secondary ? AttachedVethName(secondary) : VethName(i.InstanceId));
        await _rules.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Forgotten until the kernel has taken the new state: after a failure or a cancellation nobody knows what
            // the kernel holds, and the next apply replaces everything.
            _applied.Remove(rules.Table, out var before);
            var applied = false;
            var filter = rules.Filter is null ? null : FilterTable.Of(rules.Filter, before?.Filter);
            if (before is { Filter: { } old } && filter is not null && old.Table == filter.Table && before.Network == network)
            {
                var delta = FilterRulesetDelta.Render(old, filter);
                try
                {
                    if (delta.Length > 0)
                    {
                        await ApplyTextAsync(nft, rules.Table, delta, cancellationToken).ConfigureAwait(false);
                    }

                    _applied[rules.Table] = new AppliedRuleset(network, filter);
                    applied = true;
                }
                catch (NodeException e)
                {
                    LogDeltaRefused(rules.Table, e.Message);
                }
            }

            if (!applied)
            {
                var full = new StringBuilder(network);
                if (filter is not null)
                {
                    FilterRulesetText.Render(full, filter);
                }

                await ApplyTextAsync(nft, rules.Table, full.ToString(), cancellationToken).ConfigureAwait(false);
                _applied[rules.Table] = new AppliedRuleset(network, filter);
            }
        }
        finally
        {
            _rules.Release();
        }

        if (rules.Edge is { } edge)
        {
            await SyncEdgeAsync(edge, cancellationToken).ConfigureAwait(false);
        }

        await SyncRoutingAsync(rules.Table, rules.SubnetRoutes, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The pool's addresses on its device: the allocated ones added (as /32s), the others removed (released, or left by
    /// a crash); <c>route_localnet</c> on the bridges when the pool is loopback (see <see cref="EdgeRulesetText"/>).
    /// </summary>
    private async Task SyncEdgeAsync(EdgeRuleset edge, CancellationToken cancellationToken)
    {
        var wanted = edge.ElasticIps.Select(e => e.PublicIp).ToHashSet(StringComparer.Ordinal);

        // Most applies (an instance started or stopped) leave the addresses as they were: the device is listed only when
        // the wanted set differs from what this process last made it (always on its first sync: it reconciles leftovers).
        var fingerprint = edge.Device + " " + edge.Pool + " " + string.Join(',', wanted.Order(StringComparer.Ordinal));
        if (Volatile.Read(ref _syncedEdge) != fingerprint)
        {
            await SyncElasticIpAddressesAsync(edge, wanted, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _syncedEdge, fingerprint);
        }

        if (EdgeRulesetText.IsLoopback(edge.Pool))
        {
            foreach (var bridge in edge.Bridges)
            {
                var localnet = Path.Combine("/proc/sys/net/ipv4/conf", bridge, "route_localnet");
                if (File.Exists(localnet) && (await File.ReadAllTextAsync(localnet, cancellationToken).ConfigureAwait(false)).Trim() != "1")
                {
                    await File.WriteAllTextAsync(localnet, "1", cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    private async Task SyncElasticIpAddressesAsync(EdgeRuleset edge, HashSet<string> wanted, CancellationToken cancellationToken)
    {
        var ip = Ip();
        var pool = ParseCidr(edge.Pool);
        var present = new HashSet<string>(StringComparer.Ordinal);
        var listed = await ProcessRunner.RunAsync(ip, ["-j", "-4", "addr", "show", "dev", edge.Device], cancellationToken).ConfigureAwait(false);
        if (listed.ExitCode != 0)
        {
            throw new NodeException($"ip addr show dev {edge.Device} failed ({listed.ExitCode}): {listed.Stderr.Trim()} (the elastic IP device must exist)");
        }

        using (var document = JsonDocument.Parse(listed.Stdout))
        {
            foreach (var link in document.RootElement.EnumerateArray())
            {
                if (!link.TryGetProperty("addr_info", out var addresses))
                {
                    continue;
                }

                foreach (var address in addresses.EnumerateArray())
                {
                    if (address.TryGetProperty("local", out var local) && local.GetString() is { } text
                        && address.TryGetProperty("prefixlen", out var prefix) && prefix.GetInt32() == 32
                        && System.Net.IPAddress.TryParse(text, out var parsed) && InRange(pool, parsed))
                    {
                        present.Add(text);
                    }
                }
            }
        }

        foreach (var stale in present.Where(a => !wanted.Contains(a)).Order(StringComparer.Ordinal))
        {
            await RunAsync(ip, ["addr", "del", stale + "/32", "dev", edge.Device], cancellationToken, ignore: "Cannot assign").ConfigureAwait(false);
            LogElasticIpRemoved(stale, edge.Device);
        }

        foreach (var missing in wanted.Where(a => !present.Contains(a)).Order(StringComparer.Ordinal))
        {
            await RunAsync(ip, ["addr", "replace", missing + "/32", "dev", edge.Device], cancellationToken).ConfigureAwait(false);
        }
    }

    private static (uint Network, uint Mask) ParseCidr(string cidr)
    {
        var slash = cidr.IndexOf('/', StringComparison.Ordinal);
        var network = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(System.Net.IPAddress.Parse(cidr.AsSpan(0, slash)).GetAddressBytes());
        var prefix = int.Parse(cidr.AsSpan(slash + 1), CultureInfo.InvariantCulture);
        var mask = prefix == 0 ? 0 : uint.MaxValue << (32 - prefix);
        return (network & mask, mask);
    }

    private static bool InRange((uint Network, uint Mask) range, System.Net.IPAddress address) =>
        (System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(address.GetAddressBytes()) & range.Mask) == range.Network;

    public async Task<IReadOnlyList<NodeItem>> InventoryAsync(string bridge, string table, CancellationToken cancellationToken)
    {
        var items = new List<NodeItem>();
        var ports = Path.Combine("/sys/class/net", bridge, "brif");
        if (Directory.Exists(ports))
        {
            foreach (var port in Directory.EnumerateFileSystemEntries(ports).Select(Path.GetFileName))
            {
                if (port is not null && port.StartsWith(VethPrefix, StringComparison.Ordinal))
                {
                    items.Add(new NodeItem("veth", "i-" + port[VethPrefix.Length..], port));
                }
            }
        }

        if (Directory.Exists(NamespaceDirectory))
        {
            var prefix = bridge + "-";
            foreach (var entry in Directory.EnumerateFiles(NamespaceDirectory))
            {
                var name = Path.GetFileName(entry);
                if (name.StartsWith(prefix, StringComparison.Ordinal))
                {
                    items.Add(new NodeItem("netns", name[prefix.Length..], entry));
                }
            }
        }

        if (ProcessRunner.Find("nft") is { } nft)
        {
            var listed = await ProcessRunner.RunAsync(nft, ["-j", "list", "set", "bridge", table, "ports"], cancellationToken).ConfigureAwait(false);
            if (listed.ExitCode == 0)
            {
                foreach (var port in SetElements(listed.Stdout))
                {
                    if (port.StartsWith(VethPrefix, StringComparison.Ordinal))
                    {
                        items.Add(new NodeItem("nft-rule", "i-" + port[VethPrefix.Length..], $"bridge {table} ports {port}"));
                    }
                }
            }
        }

        return items;
    }

    /// <summary>Host-side veth name of an instance: <c>nv</c> and the id without <c>i-</c> (14 characters for today's ids).</summary>
    internal static string VethName(string instanceId)
    {
        var name = VethPrefix + (instanceId.StartsWith("i-", StringComparison.Ordinal) ? instanceId[2..] : instanceId);
        return name.Length > 15 ? name[..15] : name;
    }

    /// <summary>Host-side veth name of a secondary interface: <c>ne</c> and the id without <c>eni-</c> (14 characters for today's ids).</summary>
    internal static string AttachedVethName(string interfaceId)
    {
        var name = "ne" + (interfaceId.StartsWith("eni-", StringComparison.Ordinal) ? interfaceId[4..] : interfaceId);
        return name.Length > 15 ? name[..15] : name;
    }

    private static string NamespaceName(string bridge, string instanceId) => bridge + "-" + instanceId;

    /// <summary>One file, one transaction: the kernel takes all of it or keeps what it had.</summary>
    private static async Task ApplyTextAsync(string nft, string table, string text, CancellationToken cancellationToken)
    {
        var file = Path.Combine(Path.GetTempPath(), $"nimbus-{table}-{Guid.NewGuid():N}.nft");
        try
        {
            await File.WriteAllTextAsync(file, text, cancellationToken).ConfigureAwait(false);
            await RunAsync(nft, ["-f", file], cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static IEnumerable<string> SetElements(string json)
    {
        using var document = JsonDocument.Parse(json);
        var result = new List<string>();
        foreach (var entry in document.RootElement.GetProperty("nftables").EnumerateArray())
        {
            if (entry.TryGetProperty("set", out var set) && set.TryGetProperty("elem", out var elements))
            {
                result.AddRange(elements.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!));
            }
        }

        return result;
    }

    private static string Ip() =>
        ProcessRunner.Find("ip") ?? throw new NodeException("ip (iproute2) is not installed: apt-get install iproute2");

    private static string Nft() =>
        ProcessRunner.Find("nft") ?? throw new NodeException("nft (nftables) is not installed: apt-get install nftables");

    /// <summary>
    /// Runs iproute2 commands in one process (<c>ip [-n namespace] -batch file</c>); it stops at the first that fails
    /// and names it. The words are our own names, validated addresses and MACs: nothing a user typed is split here.
    /// </summary>
    private static async Task BatchAsync(string ip, string? netns, IReadOnlyList<string> commands, CancellationToken cancellationToken, bool force = false)
    {
        if (force)
        {
            // Removals of what may already be gone: every command is tried, failures are expected and ignored.
            var forced = Path.Combine(Path.GetTempPath(), $"nimbus-ip-{Guid.NewGuid():N}.batch");
            try
            {
                await File.WriteAllTextAsync(forced, string.Join('\n', commands) + "\n", cancellationToken).ConfigureAwait(false);
                await ProcessRunner.RunAsync(ip, netns is null ? ["-force", "-batch", forced] : ["-n", netns, "-force", "-batch", forced], cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                File.Delete(forced);
            }

            return;
        }

        var file = Path.Combine(Path.GetTempPath(), $"nimbus-ip-{Guid.NewGuid():N}.batch");
        try
        {
            await File.WriteAllTextAsync(file, string.Join('\n', commands) + "\n", cancellationToken).ConfigureAwait(false);
            await RunAsync(ip, netns is null ? ["-batch", file] : ["-n", netns, "-batch", file], cancellationToken, detail: string.Join("; ", commands)).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task RunAsync(string program, string[] arguments, CancellationToken cancellationToken, string? ignore = null, string? detail = null)
    {
        var result = await ProcessRunner.RunAsync(program, arguments, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0 && !(ignore is not null && result.Stderr.Contains(ignore, StringComparison.Ordinal)))
        {
            var command = new StringBuilder(Path.GetFileName(program));
            foreach (var argument in arguments)
            {
                command.Append(' ').Append(argument);
            }

            if (detail is not null)
            {
                command.Append(" (").Append(detail).Append(')');
            }

            throw new NodeException(string.Create(CultureInfo.InvariantCulture, $"{command} failed ({result.ExitCode}): {result.Stderr.Trim()}"));
        }
    }

    [LoggerMessage(EventId = 5311, Level = LogLevel.Warning, Message = "nftables refused the security-group delta of {Table} ({Error}); applying the whole ruleset instead")]
    private partial void LogDeltaRefused(string table, string error);

    [LoggerMessage(EventId = 5312, Level = LogLevel.Information, Message = "Elastic IP {Address} removed from {Device} (no longer allocated)")]
    private partial void LogElasticIpRemoved(string address, string device);

    private sealed record AppliedRuleset(string Network, FilterTable? Filter);

    [LoggerMessage(EventId = 5310, Level = LogLevel.Information, Message = "IPv4 forwarding turned on (net.ipv4.ip_forward=1) for NAT from instance networks")]
    private partial void LogForwardingEnabled();
}
