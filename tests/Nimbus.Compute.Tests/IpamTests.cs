using Microsoft.Extensions.Logging.Abstractions;
using Nimbus.Compute.Networking;
using Nimbus.Compute.Node;
using Nimbus.Core.Errors;
using Nimbus.Network.Addressing;
using Nimbus.Store.Sqlite;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Compute.Tests;

/// <summary>IPAM of the default network against a real store; the node side is not touched.</summary>
public sealed class IpamTests : IAsyncLifetime
{
    private readonly TempDirectory _directory = new("nimbus-ipam");
    private SqliteResourceStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = new SqliteResourceStore(new SqliteStoreOptions { Path = Path.Combine(_directory.Path, "store.db") });
        await _store.InitializeAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        _directory.Dispose();
    }

    private DefaultNetwork Network(string cidr) =>
        new(_store, new UnusedNode(), new Networking.SecurityGroups.SecurityGroupFilter(_store), new ComputeOptions { Directory = _directory.Path, NetworkCidr = cidr }, NullLogger<DefaultNetwork>.Instance);

    [Fact]
    public async Task A_slash_28_gives_13_addresses_then_IpAddressExhausted_and_a_released_one_can_be_given_again()
    {
        var network = Network("10.77.0.0/28");
        var addresses = new List<string>();
        for (var i = 0; i < 13; i++)
        {
            var nic = await _store.WriteAsync((w, ct) => network.AllocateAsync(w, "123456789012", $"i-{i:D12}", ct), CancellationToken.None);
            nic.PrefixLength.ShouldBe(28);
            nic.Gateway.ShouldBe("10.77.0.1");
            addresses.Add(nic.PrivateIpAddress);
        }

        addresses.First().ShouldBe("10.77.0.2", "network and gateway addresses are reserved");
        addresses.Last().ShouldBe("10.77.0.14", "the broadcast address is reserved");
        addresses.Distinct().Count().ShouldBe(13);

        var full = await Should.ThrowAsync<NimbusException>(() => _store.WriteAsync((w, ct) => network.AllocateAsync(w, "123456789012", "i-full00000000", ct), CancellationToken.None));
        full.Code.ShouldBe("IpAddressExhausted");
        full.Status.ShouldBe(409);

        var released = new Nimbus.Contracts.Compute.InstanceInterfaceSpec
        {
            InterfaceId = "eni-x", NetworkId = DefaultNetwork.Id, PrivateIpAddress = "10.77.0.5", PrefixLength = 28, Gateway = "10.77.0.1", MacAddress = Ipv4Range.MacFor(0x0A4D0005),
        };
        await _store.WriteAsync<bool>(async (w, ct) => { await network.ReleaseAsync(w, "i-000000000003", released, ct); return true; }, CancellationToken.None);
        (await network.FindAsync(System.Net.IPAddress.Parse("10.77.0.5"), CancellationToken.None)).ShouldBeNull();
        (await network.FindAsync(System.Net.IPAddress.Parse("10.77.0.6"), CancellationToken.None))!.InstanceId.ShouldBe("i-000000000004");
        var again = await _store.WriteAsync((w, ct) => network.AllocateAsync(w, "123456789012", "i-again0000000", ct), CancellationToken.None);
        again.PrivateIpAddress.ShouldBe("10.77.0.5");
        again.MacAddress.ShouldBe("02:4e:0a:4d:00:05");
    }

    [Fact]
    public async Task A_failed_unit_of_work_keeps_no_address()
    {
        var network = Network("10.78.0.0/24");
        await Should.ThrowAsync<InvalidOperationException>(() => _store.WriteAsync<bool>(
            async (w, ct) =>
            {
                await network.AllocateAsync(w, "123456789012", "i-rolledback00", ct);
                throw new InvalidOperationException("the run failed after the allocation");
            },
            CancellationToken.None));
        (await network.HasAllocationsAsync(CancellationToken.None)).ShouldBeFalse();
        var nic = await _store.WriteAsync((w, ct) => network.AllocateAsync(w, "123456789012", "i-kept00000000", ct), CancellationToken.None);
        nic.PrivateIpAddress.ShouldBe("10.78.0.2");
    }

    [Theory]
    [InlineData("10.213.0.0/16", null)]
    [InlineData("192.168.7.0/24", null)]
    [InlineData("100.64.0.0/10", null)]
    [InlineData("10.213.0.1/16", "is not a network address (did you mean 10.213.0.0/16?)")]
    [InlineData("8.8.8.0/24", "must be inside 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10")]
    [InlineData("10.0.0.0/30", "must have a prefix length from /8 to /28")]
    [InlineData("fd00::/64", "must be an IPv4 CIDR block such as 10.213.0.0/16")]
    [InlineData("10.0.0.0", "must be an IPv4 CIDR block such as 10.213.0.0/16")]
    public void Network_ranges_are_private_ipv4_blocks(string cidr, string? error)
    {
        var range = Ipv4Range.TryParse(cidr, out var message);
        message.ShouldBe(error);
        (range is null).ShouldBe(error is not null);
        if (range is not null)
        {
            range.ToString().ShouldBe(cidr);
        }
    }

    /// <summary>IPAM never reaches the node.</summary>
    private sealed class UnusedNode : INetworkNode
    {
        public Task<string> EnsureNamespaceAsync(string prefix, string instanceId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task EnsureBridgeAsync(BridgeSetup bridge, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task EnsureVpcBridgeAsync(VpcBridgeSetup bridge, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<string>> ListVpcBridgesAsync(string owner, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task RemoveBridgeAsync(string bridge, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task AttachInterfaceAsync(string bridge, string instanceId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<string> EnsureInterfaceAsync(InterfaceSetup setup, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task RemoveInterfaceAsync(string bridge, string instanceId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task EnsureAttachedInterfaceAsync(AttachedInterfaceSetup setup, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task RemoveAttachedInterfaceAsync(AttachedInterfaceSetup setup, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task RemoveInterfaceAddressAsync(string namespacePrefix, string instanceId, int deviceIndex, string addressWithPrefix, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task ApplyRulesAsync(NetworkRuleset rules, CancellationToken cancellationToken) => throw new NotSupportedException();

        public string NamespacePathOf(string bridge, string instanceId) => throw new NotSupportedException();

        public Task<IReadOnlyList<NodeItem>> InventoryAsync(string bridge, string table, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
