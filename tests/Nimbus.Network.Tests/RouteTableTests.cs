using Nimbus.Contracts.Network;
using Nimbus.Sdk;
using Nimbus.Sdk.Network;
using Shouldly;
using Xunit;

namespace Nimbus.Network.Tests;

/// <summary>Route tables through the API of a real server: main tables, local routes, associations, bad input.</summary>
public sealed class RouteTableTests : IAsyncLifetime
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

    private RouteTablesClient Tables => _client.Network.RouteTables;

    [Fact]
    public async Task Every_vpc_has_a_main_table_with_its_local_route_and_subnets_use_one_table_each()
    {
        var vpc = await _client.Network.Vpcs.CreateAsync(new CreateVpcRequest { Name = "app", Cidr = "10.10.0.0/16" });
        var web = await _client.Network.Subnets.CreateAsync(new CreateSubnetRequest { VpcId = vpc.Id, Cidr = "10.10.1.0/24", Name = "web" });
        var other = await _client.Network.Vpcs.CreateAsync(new CreateVpcRequest { Name = "other", Cidr = "10.20.0.0/16" });
        var foreignSubnet = await _client.Network.Subnets.CreateAsync(new CreateSubnetRequest { VpcId = other.Id, Cidr = "10.20.1.0/24" });

        // The main table: made with the VPC, the local route first, not removable, not deletable.
        var main = (await Tables.ListAsync(vpcId: vpc.Id)).Items.ShouldHaveSingleItem();
        var mainSpec = RouteTablesClient.SpecOf(main);
        mainSpec.IsMain.ShouldBeTrue();
        mainSpec.Routes.ShouldBe([new RouteDto { DestinationCidr = "10.10.0.0/16", TargetType = "local", Target = "local", State = "active" }]);
        (await Should.ThrowAsync<NimbusApiException>(() => Tables.RemoveRouteAsync(main.Id, "10.10.0.0/16"))).Code.ShouldBe("OperationNotPermitted");
        (await Should.ThrowAsync<NimbusApiException>(() => Tables.DeleteAsync(main.Id))).Code.ShouldBe("OperationNotPermitted");

        // A custom table, associated with a subnet of its VPC only.
        var custom = await Tables.CreateAsync(new CreateRouteTableRequest { VpcId = vpc.Id, Name = "private" });
        RouteTablesClient.SpecOf(custom).Routes.ShouldHaveSingleItem().Target.ShouldBe("local");
        (await Should.ThrowAsync<NimbusApiException>(() => Tables.AssociateAsync("private", foreignSubnet.Id))).Message.ShouldContain("not in the table's VPC");
        RouteTablesClient.SpecOf(await Tables.AssociateAsync("private", web.Id)).SubnetIds.ShouldBe([web.Id]);

        // Bad routes: clear errors, nothing kept.
        var noTarget = await Should.ThrowAsync<NimbusApiException>(() => Tables.AddRouteAsync("private", new CreateRouteRequest { DestinationCidr = "0.0.0.0/33" }));
        noTarget.Code.ShouldBe("InvalidParameter");
        noTarget.Errors.Select(e => e.Field).Order().ShouldBe(["destinationCidr", "target"]);
        (await Should.ThrowAsync<NimbusApiException>(() => Tables.AddRouteAsync("private", new CreateRouteRequest { DestinationCidr = "0.0.0.0/0", NatGatewayId = "ngw-nothere" })))
            .Errors.ShouldHaveSingleItem().Message.ShouldContain("'ngw-nothere' is not a NAT gateway of this account");
        (await Should.ThrowAsync<NimbusApiException>(() => Tables.AddRouteAsync("private", new CreateRouteRequest { DestinationCidr = "10.10.5.0/24", InstanceId = "i-nothere" })))
            .Code.ShouldBe("CidrConflict");
        (await Should.ThrowAsync<NimbusApiException>(() => Tables.AddRouteAsync("private", new CreateRouteRequest { DestinationCidr = "10.0.0.1/8", PeeringId = "pcx-x" })))
            .Errors.ShouldHaveSingleItem().Message.ShouldContain("did you mean 10.0.0.0/8?");
        RouteTablesClient.SpecOf(await Tables.GetAsync("private")).Routes.Count.ShouldBe(1);

        // In use: the table cannot go, nor the VPC while it has a custom table.
        var inUse = await Should.ThrowAsync<NimbusApiException>(() => Tables.DeleteAsync("private"));
        inUse.Code.ShouldBe("DependencyViolation");
        inUse.Message.ShouldContain(web.Id);
        await _client.Network.Subnets.DeleteAsync(web.Id);
        RouteTablesClient.SpecOf(await Tables.GetAsync("private")).SubnetIds.ShouldBeEmpty("a deleted subnet leaves its table");
        (await Should.ThrowAsync<NimbusApiException>(() => _client.Network.Vpcs.DeleteAsync(vpc.Id))).Message.ShouldContain(custom.Id);
        await Tables.DeleteAsync("private");
        await _client.Network.Vpcs.DeleteAsync(vpc.Id);
        (await Should.ThrowAsync<NimbusApiException>(() => Tables.GetAsync(main.Id))).Code.ShouldBe("NotFound", "the main table goes with its VPC");
        (await Tables.ListAsync()).Items.Select(t => RouteTablesClient.SpecOf(t).VpcId).ShouldNotContain(vpc.Id);
    }
}
