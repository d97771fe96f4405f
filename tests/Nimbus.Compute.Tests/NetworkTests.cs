using System.Text.Json;
using Nimbus.Contracts.Compute;
using Nimbus.Contracts.Resources;
using Nimbus.Core.Api;
using Nimbus.Sdk.Compute;
using Shouldly;
using Xunit;

namespace Nimbus.Compute.Tests;

/// <summary>The default VPC for real: its bridge, veth in the instance's namespace, NAT and anti-spoofing tables, IPAM.</summary>
public sealed class NetworkTests : NetworkHostTest
{
    private InstancesClient Instances => Server.Client.Compute.Instances;

    internal static async Task<string> FetchAsync(string url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            return await http.GetStringAsync(new Uri(url));
        }
        catch (HttpRequestException ex)
        {
            return "error: " + ex.Message;
        }
        catch (TaskCanceledException)
        {
            return "error: timed out";
        }
    }

    private static InstanceDetailsDto Details(ResourceDto instance) => instance.Status.Details!.Value.Deserialize<InstanceDetailsDto>(NimbusJson.Options)!;

    [Fact]
    public async Task Busybox_httpd_started_by_user_data_answers_on_the_private_ip_from_the_host()
    {
        const string userData = "#!/bin/sh\necho carrier at boot: $(cat /sys/class/net/eth0/carrier)\nmkdir -p /www\necho hello from $(hostname) > /www/index.html\nhttpd -p 80 -h /www\n";
        // The default group lets in only its members: the host is let in on port 80 as a user would.
        await Server.Client.Network.SecurityGroups.AuthorizeAsync("default", "ingress", new() { Protocol = "tcp", FromPort = 80, Cidr = "0.0.0.0/0" });
        var created = (await Instances.RunAsync(new RunInstancesRequest { Image = "busybox", InstanceType = "n1.micro", Name = "web", UserData = userData })).Single();
        var ip = InstancesClient.PrivateIpAddressOf(created);
        ip.ShouldNotBeNull("the address is allocated when the instance is run");
        // New instances go to the default subnet of the account's default VPC (this server's pool: /24 VPCs, /26 subnets).
        var pool = Server.Server.Host.Options.NetworkDefaultVpcPool;
        ip.ShouldStartWith(pool[..pool.LastIndexOf('.')]);
        var instance = await Instances.WaitForPhaseAsync(created.Id, InstancesClient.RunningPhase, ComputeServer.Wait);
        Details(instance).PrivateIpAddress.ShouldBe(ip);
        Details(instance).Hostname.ShouldBe("web");

        var page = await Poll.UntilAsync(() => FetchAsync($"http://{ip}/"), p => p == "hello from web\n", what: "httpd on the private IP");
        page.ShouldBe("hello from web\n");

        // The container starts while its rules are applied; its eth0 gets a carrier once they are in place, and the
        // user data runs only then.
        (await Instances.GetConsoleOutputAsync(instance.Id)).Output.ShouldContain("carrier at boot: 1");

        // Inside: eth0 with the address, a default route through the gateway on the bridge.
        var (code, stdout, stderr) = await Host.ExecAsync(instance.Id, "ip", "-4", "addr", "show", "eth0");
        code.ShouldBe(0, stderr);
        stdout.ShouldContain($"inet {ip}/26");
        (await Host.ExecAsync(instance.Id, "ip", "route")).Stdout.ShouldContain("default via");

        // The same address after a stop and a start, and the server still answers there.
        await Instances.StopAsync(instance.Id);
        await Instances.WaitForPhaseAsync(instance.Id, InstancesClient.StoppedPhase, ComputeServer.Wait);
        await Instances.StartAsync(instance.Id);
        var restarted = await Instances.WaitForPhaseAsync(instance.Id, InstancesClient.RunningPhase, ComputeServer.Wait);
        InstancesClient.PrivateIpAddressOf(restarted).ShouldBe(ip);
        await Host.ExecAsync(instance.Id, "httpd", "-p", "80", "-h", "/www");
        (await Poll.UntilAsync(() => FetchAsync($"http://{ip}/"), p => p == "hello from web\n", what: "httpd after a restart")).ShouldBe("hello from web\n");

        // Terminate leaves no veth, no namespace, no ruleset entry; the garbage check agrees.
        var veth = "nv" + instance.Id[2..];
        Directory.Exists($"/sys/class/net/{veth}").ShouldBeTrue();
        await Instances.TerminateAsync(instance.Id);
        await Instances.WaitForPhaseAsync(instance.Id, InstancesClient.TerminatedPhase, ComputeServer.Wait);
        Directory.Exists($"/sys/class/net/{veth}").ShouldBeFalse();
        File.Exists($"/run/netns/{Server.NetnsOf(instance.Id)}").ShouldBeFalse();
        // The phase commits just before the ruleset follows, so the table is polled.
        var rules = await Poll.UntilAsync(() => Host.RunAsync("nft", ["list", "table", "bridge", Server.NftTable]), r => !r.Stdout.Contains(veth, StringComparison.Ordinal), what: "the veth out of the ruleset");
        rules.ExitCode.ShouldBe(0, rules.Stderr);
        var report = await Server.Client.SendAsync<GarbageReportDto>(HttpMethod.Post, "/v1/compute/garbage/run");
        report.Leaks.Where(l => l.Id == instance.Id).ShouldBeEmpty();
    }

    [Fact]
    public async Task Instances_get_distinct_addresses_and_nat_and_anti_spoofing_rules_are_in_nimbus_tables()
    {
        var created = await Instances.RunAsync(new RunInstancesRequest { Image = "busybox", InstanceType = "n1.micro", Name = "pair", Count = 2 });
        var ips = created.Select(InstancesClient.PrivateIpAddressOf).ToList();
        ips.Distinct().Count().ShouldBe(2);
        foreach (var instance in created)
        {
            await Instances.WaitForPhaseAsync(instance.Id, InstancesClient.RunningPhase, ComputeServer.Wait);
        }

        var inet = await Host.RunAsync("nft", ["list", "table", "inet", Server.NftTable]);
        inet.ExitCode.ShouldBe(0, inet.Stderr);
        inet.Stdout.ShouldContain("ip saddr @nat_sources oifname != @bridges masquerade");
        var vpc = await Server.Client.Network.Vpcs.GetAsync("default");
        inet.Stdout.ShouldContain(vpc.Spec.GetProperty("cidr").GetString()!);
        inet.Stdout.ShouldContain("ip daddr 169.254.169.254 tcp dport 80 dnat ip to");
        var bridge = await Host.RunAsync("nft", ["list", "table", "bridge", Server.NftTable]);
        foreach (var (instance, ip) in created.Zip(ips))
        {
            bridge.Stdout.ShouldContain($"\"nv{instance.Id[2..]}\" . {ip}");
        }

        // Instances on one network talk to each other.
        var (code, stdout, stderr) = await Host.ExecAsync(created[0].Id, "ping", "-c", "1", "-W", "3", ips[1]!);
        code.ShouldBe(0, stdout + stderr);
    }
}
