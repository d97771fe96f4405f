using System.Globalization;
using Nimbus.Contracts.Network;
using Nimbus.Sdk;
using Nimbus.Sdk.Compute;
using Nimbus.Sdk.Network;
using Shouldly;
using Xunit;

namespace Nimbus.Compute.Tests;

/// <summary>
/// NAT gateways' port forwards for real: from the host, a connection to the gateway's elastic IP on the forwarded port
/// reaches a private (non-default VPC) instance's server, only while the forward exists and the instance's groups let
/// the port in; a restart of Nimbus puts a forward the kernel lost back; deleting the gateway takes its forwards.
/// </summary>
public sealed class NatPortForwardTests : NetworkHostTest
{
    private const int ExternalPort = 18080;

    [Fact]
    public async Task A_port_forward_reaches_a_private_instance_from_the_gateways_elastic_ip_while_it_exists_and_its_groups_allow()
    {
        var network = Server.Client.Network;
        var (vpc, subnet, open) = await VpcDataPathTests.VpcAsync(Server, "pf", 2);
        var web80 = await network.SecurityGroups.CreateAsync(new CreateSecurityGroupRequest { Name = "pf-80-only", VpcId = vpc.Id });
        await network.SecurityGroups.AuthorizeAsync(web80.Id, "ingress", new() { Protocol = "tcp", FromPort = 80, ToPort = 80, Cidr = "0.0.0.0/0" });
        var app = await VpcDataPathTests.RunAsync(Server, "app", subnet.Id, open.Id);
        var appIp = InstancesClient.PrivateIpAddressOf(app)!;
        var eip = await network.ElasticIps.AllocateAsync(new AllocateAddressRequest { Name = "pf-nat" });
        var address = ElasticIpsClient.SpecOf(eip).PublicIp;
        var gateway = await network.NatGateways.CreateAsync(new CreateNatGatewayRequest { SubnetId = subnet.Id, AllocationId = eip.Id, Name = "pf-gw" });

        (await CurlAsync(address, ExternalPort)).ShouldStartWith("error", customMessage: "no forward yet: nothing answers on the elastic IP");

        // Bad input: every field's error at once, then each check of the store.
        var invalid = await Should.ThrowAsync<NimbusApiException>(() => network.NatGateways.AddPortForwardAsync(gateway.Id, new CreatePortForwardRequest
        {
            Protocol = "icmp", ExternalPort = 0, PrivateIpAddress = "10.1.2", PrivatePort = 70000,
        }));
        invalid.Code.ShouldBe("InvalidParameter");
        invalid.Errors.Select(e => e.Field).ShouldBe(["protocol", "externalPort", "privatePort", "privateIpAddress"], ignoreOrder: true);
        invalid.Errors.Single(e => e.Field == "protocol").Message.ShouldBe("'icmp' is not tcp or udp");
        invalid.Errors.Single(e => e.Field == "privatePort").Message.ShouldBe("70000 is not a port from 1 to 65535");
        var outside = await Should.ThrowAsync<NimbusApiException>(() => network.NatGateways.AddPortForwardAsync(gateway.Id, Forward("192.168.77.5")));
        outside.Code.ShouldBe("InvalidParameter");
        outside.Message.ShouldContain($"192.168.77.5 is in no subnet of VPC {vpc.Id}");
        var network0 = SubnetsClient.SpecOf(subnet).Cidr.Split('/')[0];
        var subnetGateway = network0[..(network0.LastIndexOf('.') + 1)] + (int.Parse(network0[(network0.LastIndexOf('.') + 1)..], CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);
        (await Should.ThrowAsync<NimbusApiException>(() => network.NatGateways.AddPortForwardAsync(gateway.Id, Forward(subnetGateway))))
            .Message.ShouldContain("is a reserved address of subnet");
        (await Should.ThrowAsync<NimbusApiException>(() => network.NatGateways.AddPortForwardAsync("ngw-nothere0000", Forward(appIp)))).Code.ShouldBe("NotFound");

        var forward = await network.NatGateways.AddPortForwardAsync("pf-gw", Forward(appIp) with { Name = "web" });
        forward.Id.ShouldStartWith("pf-");
        (forward.Protocol, forward.PublicIp, forward.ExternalPort, forward.PrivateIpAddress, forward.PrivatePort).ShouldBe(("tcp", address, ExternalPort, appIp, 8080));
        (await Poll.UntilAsync(() => CurlAsync(address, ExternalPort), r => r == "ok\n", what: "httpd through the port forward")).ShouldBe("ok\n");

        var taken = await Should.ThrowAsync<NimbusApiException>(() => network.NatGateways.AddPortForwardAsync(gateway.Id, Forward(appIp) with { PrivatePort = 80 }));
        taken.Code.ShouldBe("Conflict");
        taken.Message.ShouldContain(forward.Id);
        (await Should.ThrowAsync<NimbusApiException>(() => network.NatGateways.AddPortForwardAsync(gateway.Id, Forward(appIp) with { ExternalPort = 18081, Name = "web" })))
            .Code.ShouldBe("AlreadyExists");
        var udp = await network.NatGateways.AddPortForwardAsync(gateway.Id, Forward(appIp) with { Protocol = "udp" });
        (await network.NatGateways.ListPortForwardsAsync(gateway.Id)).Items.Select(f => (f.Id, f.Protocol)).ShouldBe([(forward.Id, "tcp"), (udp.Id, "udp")]);
        await network.NatGateways.RemovePortForwardAsync(gateway.Id, udp.Id);

        // The target's security groups still decide.
        await network.SecurityGroups.SetInstanceGroupsAsync(app.Id, [web80.Id]);
        (await CurlAsync(address, ExternalPort)).ShouldStartWith("error", customMessage: "a group without tcp/8080 blocks the forwarded connection");
        await network.SecurityGroups.SetInstanceGroupsAsync(app.Id, [open.Id]);
        (await CurlAsync(address, ExternalPort)).ShouldBe("ok\n");

        // A restart rebuilds the edge table from the store: a forward the kernel lost meanwhile is back.
        var directory = await Server.StopServerAsync();
        var flushed = await Host.RunAsync("nft", ["flush", "map", "inet", Server.NftTable + "_edge", "ngw_dnat"]);
        flushed.ExitCode.ShouldBe(0, flushed.Stderr);
        (await CurlAsync(address, ExternalPort)).ShouldStartWith("error");
        Server = await ComputeServer.StartAsync(dataDirectory: directory);
        (await Poll.UntilAsync(() => CurlAsync(address, ExternalPort), r => r == "ok\n", what: "the forward after the restart")).ShouldBe("ok\n");
        network = Server.Client.Network;

        await network.NatGateways.RemovePortForwardAsync(gateway.Id, "web");
        (await CurlAsync(address, ExternalPort)).ShouldStartWith("error", customMessage: "a removed forward forwards nothing");
        (await network.NatGateways.ListPortForwardsAsync(gateway.Id)).Items.ShouldBeEmpty();
        (await Should.ThrowAsync<NimbusApiException>(() => network.NatGateways.RemovePortForwardAsync(gateway.Id, "web"))).Code.ShouldBe("NotFound");

        // A sane limit per gateway; the gateway's delete takes every forward with it.
        for (var i = 0; i < 50; i++)
        {
            await network.NatGateways.AddPortForwardAsync(gateway.Id, Forward(appIp) with { ExternalPort = 20000 + i });
        }

        (await Should.ThrowAsync<NimbusApiException>(() => network.NatGateways.AddPortForwardAsync(gateway.Id, Forward(appIp) with { ExternalPort = 20050 }))).Code.ShouldBe("LimitExceeded");
        (await EdgeMapAsync()).ShouldContain($"{address} . tcp . 20049 : {appIp} . 8080");
        await network.NatGateways.DeleteAsync(gateway.Id);
        (await EdgeMapAsync()).ShouldNotContain(address);
        (await Should.ThrowAsync<NimbusApiException>(() => network.NatGateways.ListPortForwardsAsync(gateway.Id))).Code.ShouldBe("NotFound");
    }

    private static CreatePortForwardRequest Forward(string privateIp) =>
        new() { Protocol = "tcp", ExternalPort = ExternalPort, PrivateIpAddress = privateIp, PrivatePort = 8080 };

    private async Task<string> EdgeMapAsync()
    {
        var listed = await Host.RunAsync("nft", ["list", "map", "inet", Server.NftTable + "_edge", "ngw_dnat"]);
        listed.ExitCode.ShouldBe(0, listed.Stderr);
        return listed.Stdout;
    }

    internal static async Task<string> CurlAsync(string address, int port)
    {
        var (code, stdout, stderr) = await Host.RunAsync("curl", ["-sS", "--max-time", "2", string.Create(CultureInfo.InvariantCulture, $"http://{address}:{port}/")]);
        return code == 0 ? stdout : "error: " + stderr;
    }
}
