using Microsoft.Extensions.DependencyInjection;
using Nimbus.Contracts.Network;
using Nimbus.Core.Errors;
using Nimbus.Core.Store;
using Nimbus.Network.Addressing;
using Nimbus.Network.Subnets;
using Nimbus.Sdk;
using Nimbus.Sdk.Network;
using Shouldly;
using Xunit;

namespace Nimbus.Network.Tests;

/// <summary>VPCs and subnets through the API of a real server: the default VPC, ranges, overlaps, dependencies, IPAM.</summary>
public sealed class VpcTests : IAsyncLifetime
{
    private NimbusServer _server = null!;
    private NimbusClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await NimbusServer.StartAsync();
        _client = new NimbusClient(new NimbusClientOptions { Endpoint = _server.Endpoint, Credentials = _server.AdminCredentials, Region = _server.Host.Options.Region });
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    private NetworkClient Network => _client.Network;

    private static async Task<NimbusApiException> ProblemAsync(Func<Task> call) => await Should.ThrowAsync<NimbusApiException>(call);

    [Fact]
    public async Task The_default_VPC_is_made_once_on_first_use_with_a_default_subnet_per_zone()
    {
        var first = await Network.Vpcs.ListAsync();
        var second = await Network.Vpcs.ListAsync();
        var vpc = first.Items.ShouldHaveSingleItem();
        second.Items.ShouldHaveSingleItem().Id.ShouldBe(vpc.Id);
        vpc.Name.ShouldBe("default");
        vpc.Status.Phase.ShouldBe("available");
        var spec = VpcsClient.SpecOf(vpc);
        spec.IsDefault.ShouldBeTrue();
        spec.Cidr.ShouldBe("10.224.0.0/16", "the first /16 of the default pool");
        (await Network.Vpcs.GetAsync("default")).Id.ShouldBe(vpc.Id);

        var subnet = (await Network.Subnets.ListAsync(vpcId: vpc.Id)).Items.ShouldHaveSingleItem();
        subnet.Name.ShouldBe("default-local-a");
        var subnetSpec = SubnetsClient.SpecOf(subnet);
        subnetSpec.ShouldBe(new SubnetSpec { VpcId = vpc.Id, Cidr = "10.224.0.0/20", Zone = "local-a", IsDefault = true });
        var usage = SubnetsClient.DetailsOf(subnet)!;
        usage.Gateway.ShouldBe("10.224.0.1");
        usage.UsableIpAddressCount.ShouldBe(4093, "a /20 less network, gateway and broadcast");
        usage.AvailableIpAddressCount.ShouldBe(4093);

        // The default VPC does not count against the quota.
        var quota = (await _client.Quotas.ListAsync()).Items.Single(q => q.Code == "network.vpcs");
        quota.Usage.ShouldBe(0);
    }

    [Fact]
    public async Task Bad_ranges_overlaps_and_dependencies_are_refused_with_clear_errors_and_nothing_half_made()
    {
        (await ProblemAsync(() => Network.Vpcs.CreateAsync(new CreateVpcRequest { Name = "pub", Cidr = "8.8.0.0/16" }))).Errors.ShouldContain(e => e.Field == "cidr");
        (await ProblemAsync(() => Network.Vpcs.CreateAsync(new CreateVpcRequest { Name = "wide", Cidr = "10.0.0.0/7" }))).Code.ShouldBe("InvalidParameter");
        (await ProblemAsync(() => Network.Vpcs.CreateAsync(new CreateVpcRequest { Name = "tiny", Cidr = "10.9.0.0/29" }))).Code.ShouldBe("InvalidParameter");
        (await ProblemAsync(() => Network.Vpcs.CreateAsync(new CreateVpcRequest { Cidr = "10.9.0.0/16" }))).Errors.ShouldContain(e => e.Field == "name");
        var legacy = await ProblemAsync(() => Network.Vpcs.CreateAsync(new CreateVpcRequest { Name = "legacy", Cidr = _server.Host.Options.NetworkCidr }));
        legacy.Code.ShouldBe("CidrConflict");

        var app = await Network.Vpcs.CreateAsync(new CreateVpcRequest { Name = "app", Cidr = "10.10.0.0/16", Tags = new Dictionary<string, string> { ["tier"] = "app" } });
        VpcsClient.SpecOf(app).Cidr.ShouldBe("10.10.0.0/16");
        var overlap = await ProblemAsync(() => Network.Vpcs.CreateAsync(new CreateVpcRequest { Name = "inner", Cidr = "10.10.4.0/24" }));
        overlap.Code.ShouldBe("CidrConflict");
        overlap.Problem.Detail!.ShouldContain(app.Id);
        (await ProblemAsync(() => Network.Vpcs.CreateAsync(new CreateVpcRequest { Name = "app", Cidr = "10.11.0.0/16" }))).Code.ShouldBe("AlreadyExists");

        (await ProblemAsync(() => Network.Subnets.CreateAsync(new CreateSubnetRequest { VpcId = app.Id, Cidr = "10.11.1.0/24" }))).Code.ShouldBe("InvalidParameter");
        (await ProblemAsync(() => Network.Subnets.CreateAsync(new CreateSubnetRequest { VpcId = app.Id, Cidr = "10.10.1.0/24", Zone = "mars-1" }))).Errors.ShouldContain(e => e.Field == "zone");
        (await ProblemAsync(() => Network.Subnets.CreateAsync(new CreateSubnetRequest { VpcId = "vpc-nosuch000000", Cidr = "10.10.1.0/24" }))).Code.ShouldBe("NotFound");
        var web = await Network.Subnets.CreateAsync(new CreateSubnetRequest { VpcId = app.Id, Cidr = "10.10.1.0/24", Name = "web" });
        SubnetsClient.SpecOf(web).Zone.ShouldBe("local-a");
        SubnetsClient.DetailsOf(web)!.AvailableIpAddressCount.ShouldBe(253);
        var subnetOverlap = await ProblemAsync(() => Network.Subnets.CreateAsync(new CreateSubnetRequest { VpcId = app.Id, Cidr = "10.10.0.0/23" }));
        subnetOverlap.Code.ShouldBe("CidrConflict");
        subnetOverlap.Problem.Detail!.ShouldContain(web.Id);

        var inUse = await ProblemAsync(() => Network.Vpcs.DeleteAsync(app.Id));
        inUse.Code.ShouldBe("DependencyViolation");
        inUse.Problem.Detail!.ShouldContain("subnet " + web.Id);
        (await Network.Vpcs.GetAsync(app.Id)).Id.ShouldBe(app.Id);

        (await _client.Quotas.ListAsync()).Items.Single(q => q.Code == "network.vpcs").Usage.ShouldBe(1);
        await Network.Subnets.DeleteAsync(web.Id);
        await Network.Vpcs.DeleteAsync(app.Id);
        (await ProblemAsync(() => Network.Vpcs.GetAsync(app.Id))).Code.ShouldBe("NotFound");
        (await _client.Quotas.ListAsync()).Items.Single(q => q.Code == "network.vpcs").Usage.ShouldBe(0);

        // Its range is free again.
        var again = await Network.Vpcs.CreateAsync(new CreateVpcRequest { Name = "inner", Cidr = "10.10.4.0/24" });
        await Network.Vpcs.DeleteAsync(again.Id);
    }

    [Fact]
    public async Task Subnet_IPAM_reserves_network_gateway_and_broadcast_gives_chosen_or_next_free_addresses_and_says_when_full()
    {
        var vpc = await Network.Vpcs.CreateAsync(new CreateVpcRequest { Name = "small", Cidr = "192.168.50.0/24" });
        var subnet = await Network.Subnets.CreateAsync(new CreateSubnetRequest { VpcId = vpc.Id, Cidr = "192.168.50.16/28" });
        var store = _server.Host.Services.GetRequiredService<IResourceStore>();
        Task<string> AllocateAsync(int i, string? requested = null) =>
            store.WriteAsync((w, ct) => SubnetIpam.AllocateAsync(w, subnet.Id, new AddressHolder($"eni-{i:D12}", $"i-{i:D12}", vpc.Account), requested, ct), CancellationToken.None);

        (await AllocateAsync(0, "192.168.50.20")).ShouldBe("192.168.50.20");
        (await Should.ThrowAsync<NimbusException>(() => AllocateAsync(1, "192.168.50.20"))).Code.ShouldBe("Conflict");
        (await Should.ThrowAsync<NimbusException>(() => AllocateAsync(1, "192.168.50.17"))).Code.ShouldBe("InvalidParameter", "the gateway is reserved");
        (await Should.ThrowAsync<NimbusException>(() => AllocateAsync(1, "192.168.50.31"))).Code.ShouldBe("InvalidParameter", "the broadcast address is reserved");
        var addresses = new List<string>();
        for (var i = 1; i < 13; i++)
        {
            addresses.Add(await AllocateAsync(i));
        }

        addresses.First().ShouldBe("192.168.50.18");
        addresses.ShouldNotContain("192.168.50.20");
        addresses.Last().ShouldBe("192.168.50.30");
        var full = await Should.ThrowAsync<NimbusException>(() => AllocateAsync(99));
        full.Code.ShouldBe("IpAddressExhausted");
        full.Status.ShouldBe(409);
        SubnetsClient.DetailsOf(await Network.Subnets.GetAsync(subnet.Id))!.AvailableIpAddressCount.ShouldBe(0);
        var held = await Network.Subnets.AddressesAsync(subnet.Id);
        held.Addresses.Count.ShouldBe(13);
        held.Addresses[0].ShouldBe(new SubnetAddressDto { Address = "192.168.50.18", InterfaceId = "eni-000000000001", InstanceId = "i-000000000001" });

        var inUse = await ProblemAsync(() => Network.Subnets.DeleteAsync(subnet.Id));
        inUse.Code.ShouldBe("DependencyViolation");
        inUse.Problem.Detail!.ShouldContain("interface eni-000000000000 of instance i-000000000000");

        await store.WriteAsync<bool>(async (w, ct) => { await SubnetIpam.ReleaseAsync(w, subnet.Id, "192.168.50.20", "eni-000000000000", ct); return true; }, CancellationToken.None);
        (await AllocateAsync(100)).ShouldBe("192.168.50.20", "the one freed address is the only one left");
    }
}
