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
        await Server.StopServerAsync();
        var flushed = await Host.RunAsync("nft", ["flush", "map", "inet", Server.NftTable + "_edge", "ngw_dnat"]);
        flushed.ExitCode.ShouldBe(0, flushed.Stderr);
        (await CurlAsync(address, ExternalPort)).ShouldStartWith("error");
        Server = await Server.StartSuccessorAsync();
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

    [Fact]
    public async Task A_port_range_forwards_each_port_to_the_same_offset_of_the_private_range()
    {
        var network = Server.Client.Network;
        var (_, subnet, open) = await VpcDataPathTests.VpcAsync(Server, "pfr", 1);
        var created = (await Server.Client.Compute.Instances.RunAsync(new Contracts.Compute.RunInstancesRequest
        {
            Image = "busybox", InstanceType = "n1.micro", Name = "ranged", SubnetId = subnet.Id, SecurityGroupIds = [open.Id],
            Command = ["sh", "-c", "mkdir -p /a /b && echo three > /a/index.html && echo seven > /b/index.html && httpd -p 9003 -h /a && exec httpd -f -p 9007 -h /b"],
        })).Single();
        var app = await Server.Client.Compute.Instances.WaitForPhaseAsync(created.Id, InstancesClient.RunningPhase, ComputeServer.Wait);
        var appIp = InstancesClient.PrivateIpAddressOf(app)!;
        var eip = await network.ElasticIps.AllocateAsync(new AllocateAddressRequest { Name = "pfr-nat" });
        var address = ElasticIpsClient.SpecOf(eip).PublicIp;
        var gateway = await network.NatGateways.CreateAsync(new CreateNatGatewayRequest { SubnetId = subnet.Id, AllocationId = eip.Id, Name = "pfr-gw" });

        // Bad ranges: clear errors naming the field, nothing added.
        var reversed = await Should.ThrowAsync<NimbusApiException>(() => network.NatGateways.AddPortForwardAsync(gateway.Id, Range(appIp, 8010, 8000)));
        reversed.Code.ShouldBe("InvalidParameter");
        reversed.Errors.Single().Field.ShouldBe("externalPortEnd");
        var unequal = await Should.ThrowAsync<NimbusApiException>(() => network.NatGateways.AddPortForwardAsync(gateway.Id, Range(appIp, 8000, 8010) with { PrivatePort = 9000, PrivatePortEnd = 9005 }));
        unequal.Errors.Single().Field.ShouldBe("privatePortEnd");
        unequal.Errors.Single().Message.ShouldContain("9000-9010");
        (await Should.ThrowAsync<NimbusApiException>(() => network.NatGateways.AddPortForwardAsync(gateway.Id, Range(appIp, 8000, 8010) with { PrivatePort = 65530 })))
            .Errors.Single().Field.ShouldBe("privatePort");
        (await Should.ThrowAsync<NimbusApiException>(() => network.NatGateways.AddPortForwardAsync(gateway.Id, Range(appIp, 1000, 3000))))
            .Errors.Single().Field.ShouldBe("externalPortEnd");
        (await network.NatGateways.ListPortForwardsAsync(gateway.Id)).Items.ShouldBeEmpty();

        // The CLI's --port takes the range, --private-port its first private port.
        var (code, stdout, stderr) = await Server.RunCliAsync(Home.Path, "network", "nat-gateway", "add-forward", "pfr-gw", "--protocol", "tcp", "--port", "8000-8010", "--private-ip", appIp, "--private-port", "9000", "--name", "range");
        code.ShouldBe(0, stderr);
        stdout.Split('\n').ShouldContain(l => System.Text.RegularExpressions.Regex.IsMatch(l, $@"\brange\s+tcp\s+{System.Text.RegularExpressions.Regex.Escape(address)}\s+8000-8010\s+{System.Text.RegularExpressions.Regex.Escape(appIp)}\s+9000-9010\s"), stdout);
        var forward = (await network.NatGateways.ListPortForwardsAsync(gateway.Id)).Items.Single();
        (forward.ExternalPort, forward.ExternalPortEnd, forward.PrivatePort, forward.PrivatePortEnd).ShouldBe((8000, 8010, 9000, 9010));
        (code, _, stderr) = await Server.RunCliAsync(Home.Path, "network", "nat-gateway", "add-forward", "pfr-gw", "--protocol", "tcp", "--port", "80-x", "--private-ip", appIp);
        code.ShouldBe(2);
        stderr.ShouldContain("--external-port 80-x is not a port or a range of ports");

        // Two ports of the range, each to its own offset; a port outside it reaches nothing.
        (await Poll.UntilAsync(() => CurlAsync(address, 8003), r => r == "three\n", what: "port 8003 of the range to 9003")).ShouldBe("three\n");
        (await CurlAsync(address, 8007)).ShouldBe("seven\n");
        (await CurlAsync(address, 8011)).ShouldStartWith("error");
        var map = await EdgeMapAsync();
        map.ShouldContain($"{address} . tcp . 8000 : {appIp} . 9000");
        map.ShouldContain($"{address} . tcp . 8010 : {appIp} . 9010");

        // Overlaps with a forward of the same protocol conflict, on either side; another protocol or the next port does not.
        var overlap = await Should.ThrowAsync<NimbusApiException>(() => network.NatGateways.AddPortForwardAsync(gateway.Id, Range(appIp, 7990, 8000)));
        overlap.Code.ShouldBe("Conflict");
        overlap.Message.ShouldContain(forward.Id);
        (await Should.ThrowAsync<NimbusApiException>(() => network.NatGateways.AddPortForwardAsync(gateway.Id, Range(appIp, 8005, 8005)))).Code.ShouldBe("Conflict");
        await network.NatGateways.AddPortForwardAsync(gateway.Id, Range(appIp, 8000, 8010) with { Protocol = "udp" });
        await network.NatGateways.AddPortForwardAsync(gateway.Id, Range(appIp, 8011, 8011) with { PrivatePort = 9007 });
        (await Poll.UntilAsync(() => CurlAsync(address, 8011), r => r == "seven\n", what: "the single port next to the range")).ShouldBe("seven\n");

        // At most 1,024 forwarded ports a gateway: 11 + 11 + 1 are taken.
        (await Should.ThrowAsync<NimbusApiException>(() => network.NatGateways.AddPortForwardAsync(gateway.Id, Range(appIp, 20000, 21001)))).Code.ShouldBe("LimitExceeded");
        await network.NatGateways.AddPortForwardAsync(gateway.Id, Range(appIp, 20000, 20000 + 1024 - 23 - 1));

        await network.NatGateways.RemovePortForwardAsync(gateway.Id, "range");
        (await CurlAsync(address, 8003)).ShouldStartWith("error", customMessage: "the removed range forwards nothing");
        (await EdgeMapAsync()).ShouldNotContain($"{address} . tcp . 8003 ");
        await network.NatGateways.DeleteAsync(gateway.Id);
    }

    private static CreatePortForwardRequest Range(string privateIp, int first, int last) =>
        new() { Protocol = "tcp", ExternalPort = first, ExternalPortEnd = last, PrivateIpAddress = privateIp };

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
