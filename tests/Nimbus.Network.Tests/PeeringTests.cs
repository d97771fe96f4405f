using Nimbus.Contracts.Network;
using Nimbus.Sdk;
using Nimbus.Sdk.Network;
using Shouldly;
using Xunit;

namespace Nimbus.Network.Tests;

/// <summary>VPC peering through the API of a real server: same account and cross-account, accept, reject, routes, errors.</summary>
public sealed class PeeringTests : IAsyncLifetime
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

    [Fact]
    public async Task A_peering_is_requested_accepted_or_rejected_by_the_accepter_and_routes_need_it_active()
    {
        var a = await _client.Network.Vpcs.CreateAsync(new CreateVpcRequest { Name = "a", Cidr = "10.30.0.0/16" });
        var b = await _client.Network.Vpcs.CreateAsync(new CreateVpcRequest { Name = "b", Cidr = "10.31.0.0/16" });
        var peerings = _client.Network.Peerings;

        // Bad requests.
        (await Should.ThrowAsync<NimbusApiException>(() => peerings.CreateAsync(new CreatePeeringRequest { VpcId = a.Id, PeerVpcId = a.Id })))
            .Message.ShouldContain("cannot be peered with itself");
        (await Should.ThrowAsync<NimbusApiException>(() => peerings.CreateAsync(new CreatePeeringRequest { VpcId = a.Id, PeerVpcId = "vpc-nothere" })))
            .Code.ShouldBe("InvalidParameter");

        // Same account: pending until accepted; routes to it only once active.
        var pending = await peerings.CreateAsync(new CreatePeeringRequest { VpcId = a.Id, PeerVpcId = b.Id });
        pending.Status.Phase.ShouldBe(PeeringsClient.PendingPhase);
        PeeringsClient.SpecOf(pending).ShouldBe(new PeeringSpec
        {
            RequesterVpcId = a.Id, RequesterAccountId = _server.Admin.Account, RequesterCidr = "10.30.0.0/16",
            AccepterVpcId = b.Id, AccepterAccountId = _server.Admin.Account, AccepterCidr = "10.31.0.0/16",
        });
        (await Should.ThrowAsync<NimbusApiException>(() => peerings.CreateAsync(new CreatePeeringRequest { VpcId = b.Id, PeerVpcId = a.Id }))).Code.ShouldBe("AlreadyExists");
        var mainA = (await _client.Network.RouteTables.ListAsync(vpcId: a.Id)).Items.Single();
        (await Should.ThrowAsync<NimbusApiException>(() => _client.Network.RouteTables.AddRouteAsync(mainA.Id, new CreateRouteRequest { DestinationCidr = "10.31.0.0/16", PeeringId = pending.Id })))
            .Message.ShouldContain("routes go to active peerings only");
        (await peerings.AcceptAsync(pending.Id)).Status.Phase.ShouldBe(PeeringsClient.ActivePhase);
        (await Should.ThrowAsync<NimbusApiException>(() => peerings.AcceptAsync(pending.Id))).Code.ShouldBe("Conflict");
        var routed = await _client.Network.RouteTables.AddRouteAsync(mainA.Id, new CreateRouteRequest { DestinationCidr = "10.31.0.0/16", PeeringId = pending.Id });
        RouteTablesClient.SpecOf(routed).Routes.ShouldContain(new RouteDto { DestinationCidr = "10.31.0.0/16", TargetType = "peering", Target = pending.Id, State = "active" });

        // A peering's route in a table of a third VPC is refused: the target must be of the table's VPC.
        var c = await _client.Network.Vpcs.CreateAsync(new CreateVpcRequest { Name = "c", Cidr = "10.32.0.0/16" });
        var mainC = (await _client.Network.RouteTables.ListAsync(vpcId: c.Id)).Items.Single();
        (await Should.ThrowAsync<NimbusApiException>(() => _client.Network.RouteTables.AddRouteAsync(mainC.Id, new CreateRouteRequest { DestinationCidr = "10.31.0.0/16", PeeringId = pending.Id })))
            .Message.ShouldContain($"is not in VPC {c.Id}");

        // Cross-account: the other account sees the request, only it may answer, and it rejects.
        var team = await _client.Iam.Accounts.CreateAsync("team-b");
        using var other = new NimbusClient(new NimbusClientOptions
        {
            Endpoint = _server.Endpoint,
            Credentials = new Nimbus.Contracts.Signing.SigV4Credentials(team.RootAccessKey.AccessKey.AccessKeyId, team.RootAccessKey.SecretAccessKey),
            Region = _server.Host.Options.Region,
        });
        var theirs = await other.Network.Vpcs.CreateAsync(new CreateVpcRequest { Name = "theirs", Cidr = "10.40.0.0/16" });
        (await Should.ThrowAsync<NimbusApiException>(() => peerings.CreateAsync(new CreatePeeringRequest { VpcId = a.Id, PeerVpcId = theirs.Id })))
            .Message.ShouldContain($"is not a VPC of account {_server.Admin.Account}");
        var request = await peerings.CreateAsync(new CreatePeeringRequest { VpcId = a.Id, PeerVpcId = theirs.Id, PeerAccountId = team.Account.Id });
        (await other.Network.Peerings.ListAsync()).Items.Select(p => p.Id).ShouldBe([request.Id]);
        (await Should.ThrowAsync<NimbusApiException>(() => peerings.AcceptAsync(request.Id))).Code.ShouldBe("OperationNotPermitted");
        (await other.Network.Peerings.RejectAsync(request.Id)).Status.Phase.ShouldBe(PeeringsClient.RejectedPhase);
        (await Should.ThrowAsync<NimbusApiException>(() => other.Network.Peerings.GetAsync(pending.Id))).Code.ShouldBe("NotFound", "another account's peering is not theirs to see");

        // Either side deletes.
        await other.Network.Peerings.DeleteAsync(request.Id);
        (await peerings.ListAsync()).Items.Select(p => p.Id).ShouldBe([pending.Id]);
        await peerings.DeleteAsync(pending.Id);
        (await peerings.ListAsync()).Items.ShouldBeEmpty();
    }
}
