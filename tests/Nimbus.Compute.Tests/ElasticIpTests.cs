using System.Net;
using System.Net.Sockets;
using Nimbus.Contracts.Compute;
using Nimbus.Contracts.Network;
using Nimbus.Sdk;
using Nimbus.Sdk.Compute;
using Nimbus.Sdk.Network;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Compute.Tests;

/// <summary>Elastic IPs for real: the address on <c>lo</c>, DNAT from the host, SNAT of the instance's traffic, errors of the API.</summary>
public sealed class ElasticIpTests : NetworkHostTest
{
    private const string Httpd = "#!/bin/sh\nmkdir -p /www\necho hello from $(hostname) > /www/index.html\nhttpd -p 80 -h /www\n";

    private InstancesClient Instances => Server.Client.Compute.Instances;

    private ElasticIpsClient Eips => Server.Client.Network.ElasticIps;

    [Fact]
    public async Task An_elastic_ip_answers_from_the_host_follows_reassociation_and_leaves_lo_when_released()
    {
        var groups = Server.Client.Network.SecurityGroups;
        var web = await groups.CreateAsync(new CreateSecurityGroupRequest { Name = "web" });
        var servers = await Instances.RunAsync(new RunInstancesRequest { Image = "busybox", InstanceType = "n1.micro", Name = "site", Count = 2, UserData = Httpd, SecurityGroupIds = [web.Id] });
        foreach (var instance in servers)
        {
            await Instances.WaitForPhaseAsync(instance.Id, InstancesClient.RunningPhase, ComputeServer.Wait);
        }

        var (first, second) = (servers[0], servers[1]);
        var eip = await Eips.AllocateAsync(new AllocateAddressRequest { Name = "front" });
        var address = ElasticIpsClient.SpecOf(eip).PublicIp;
        eip.Status.Phase.ShouldBe(ElasticIpsClient.AvailablePhase);
        eip.Id.ShouldStartWith("eipalloc-");
        IPNetwork.Parse(Server.ElasticIpPool).Contains(IPAddress.Parse(address)).ShouldBeTrue();
        (await LoAddressesAsync()).ShouldContain(address);

        // Bad input: clear errors, nothing changed.
        var both = await Should.ThrowAsync<NimbusApiException>(() => Eips.AssociateAsync("front", new AssociateAddressRequest { InstanceId = first.Id, NetworkInterfaceId = "eni-x" }));
        both.Code.ShouldBe("InvalidParameter");
        both.Text().ShouldContain("exactly one target");
        (await Should.ThrowAsync<NimbusApiException>(() => Eips.AssociateAsync("front", new AssociateAddressRequest { InstanceId = "i-nothere" })))
            .Text().ShouldContain("'i-nothere' is not an instance of this account");
        (await Should.ThrowAsync<NimbusApiException>(() => Eips.AssociateAsync("front", new AssociateAddressRequest { InstanceId = first.Id, PrivateIpAddress = "10.0.0.9" })))
            .Text().ShouldContain("'10.0.0.9' is not a private IP of interface");
        (await Should.ThrowAsync<NimbusApiException>(() => Eips.AssociateAsync("eipalloc-nothere", new AssociateAddressRequest { InstanceId = first.Id }))).Code.ShouldBe("NotFound");

        // Associated by instance: the host reaches its httpd on the elastic IP once its group lets tcp/80 in.
        var associated = await Eips.AssociateAsync("front", new AssociateAddressRequest { InstanceId = first.Id });
        associated.Status.Phase.ShouldBe(ElasticIpsClient.AssociatedPhase);
        ElasticIpsClient.SpecOf(associated).PrivateIpAddress.ShouldBe(InstancesClient.PrivateIpAddressOf(first));
        (await CurlAsync(address)).ShouldStartWith("error", customMessage: "security groups still apply: web lets nothing in yet");
        await groups.AuthorizeAsync(web.Id, "ingress", new SecurityGroupRuleRequest { Protocol = "tcp", FromPort = 80, Cidr = "0.0.0.0/0" });
        (await Poll.UntilAsync(() => CurlAsync(address), p => p.StartsWith("hello", StringComparison.Ordinal), what: "httpd on the elastic IP")).ShouldBe("hello from site-1\n");

        // The instance's own connections to the host come from the elastic IP (SNAT).
        (await SourceSeenByHostAsync(first)).ShouldBe(address);
        (await SourceSeenByHostAsync(second)).ShouldBe(InstancesClient.PrivateIpAddressOf(second));

        // Reassociation: refused without the flag, then the other instance answers.
        (await Should.ThrowAsync<NimbusApiException>(() => Eips.AssociateAsync(address, new AssociateAddressRequest { InstanceId = second.Id }))).Code.ShouldBe("Conflict");
        var nic = InstancesClient.SpecOf(second)!.NetworkInterface!.InterfaceId;
        var moved = await Eips.AssociateAsync(eip.Id, new AssociateAddressRequest { NetworkInterfaceId = nic, AllowReassociation = true });
        ElasticIpsClient.SpecOf(moved).InstanceId.ShouldBe(second.Id);
        (await CurlAsync(address)).ShouldBe("hello from site-2\n");

        // Release is refused while associated; after disassociation nothing answers, after release the address is off lo.
        var inUse = await Should.ThrowAsync<NimbusApiException>(() => Eips.ReleaseAsync("front"));
        inUse.Code.ShouldBe("DependencyViolation");
        inUse.Message.ShouldContain(second.Id);
        (await Eips.DisassociateAsync("front")).Status.Phase.ShouldBe(ElasticIpsClient.AvailablePhase);
        (await CurlAsync(address)).ShouldStartWith("error");
        await Eips.ReleaseAsync("front");
        (await LoAddressesAsync()).ShouldNotContain(address);
        (await CurlAsync(address)).ShouldStartWith("error");
        (await Should.ThrowAsync<NimbusApiException>(() => Eips.GetAsync(eip.Id))).Code.ShouldBe("NotFound");

        // A terminated instance loses its elastic IP (the address stays the account's), and the table follows.
        var kept = await Eips.AllocateAsync();
        var keptAddress = ElasticIpsClient.SpecOf(kept).PublicIp;
        keptAddress.ShouldNotBe(address, "a released address is not handed out again at once");
        await Eips.AssociateAsync(kept.Id, new AssociateAddressRequest { InstanceId = first.Id });
        var table = await Host.RunAsync("nft", ["list", "map", "inet", Server.NftTable + "_edge", "eip_dnat"]);
        table.ExitCode.ShouldBe(0, table.Stderr);
        table.Stdout.ShouldContain($"{keptAddress} : {InstancesClient.PrivateIpAddressOf(first)}");
        await Instances.TerminateAsync(first.Id);
        await Instances.WaitForPhaseAsync(first.Id, "terminated", ComputeServer.Wait);
        var after = await Eips.GetAsync(kept.Id);
        after.Status.Phase.ShouldBe(ElasticIpsClient.AvailablePhase);
        ElasticIpsClient.SpecOf(after).InstanceId.ShouldBeNull();
        (await Host.RunAsync("nft", ["list", "map", "inet", Server.NftTable + "_edge", "eip_dnat"])).Stdout.ShouldNotContain(keptAddress);
        (await Should.ThrowAsync<NimbusApiException>(() => Eips.AssociateAsync(kept.Id, new AssociateAddressRequest { InstanceId = first.Id }))).Code.ShouldBe("IncorrectInstanceState");
        await Eips.ReleaseAsync(keptAddress);
    }

    private static async Task<string> CurlAsync(string address)
    {
        var (code, stdout, stderr) = await Host.RunAsync("curl", ["-sS", "--max-time", "2", $"http://{address}/"]);
        return code == 0 ? stdout : "error: " + stderr.Trim();
    }

    private static async Task<IReadOnlyList<string>> LoAddressesAsync()
    {
        var (code, stdout, stderr) = await Host.RunAsync("ip", ["-4", "-o", "addr", "show", "dev", "lo"]);
        code.ShouldBe(0, stderr);
        return [.. stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3].Split('/')[0])];
    }

    /// <summary>The source address a host-side listener on the instance's gateway sees when the instance connects to it.</summary>
    private static async Task<string> SourceSeenByHostAsync(Contracts.Resources.ResourceDto instance)
    {
        var gateway = InstancesClient.SpecOf(instance)!.NetworkInterface!.Gateway;
        using var listener = new TcpListener(IPAddress.Parse(gateway), 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accept = listener.AcceptTcpClientAsync();
        var connect = Host.ExecAsync(instance.Id, "nc", "-w", "2", gateway, port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var done = await Task.WhenAny(accept, Task.Delay(TimeSpan.FromSeconds(10)));
        if (done != accept)
        {
            throw new TimeoutException($"the instance's connection to {gateway}:{port} never arrived: {(await connect).Stderr}");
        }

        using var client = await accept;
        var source = ((IPEndPoint)client.Client.RemoteEndPoint!).Address;
        return (source.IsIPv4MappedToIPv6 ? source.MapToIPv4() : source).ToString();
    }
}
