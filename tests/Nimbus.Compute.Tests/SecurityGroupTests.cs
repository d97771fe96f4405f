using System.Diagnostics;
using Nimbus.Compute.Networking.SecurityGroups;
using Nimbus.Contracts.Compute;
using Nimbus.Contracts.Network;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk;
using Nimbus.Sdk.Compute;
using Nimbus.Sdk.Network;
using Shouldly;
using Xunit;
using Xunit.Abstractions;

namespace Nimbus.Compute.Tests;

/// <summary>Security groups for real: rules in the kernel, traffic between instances and from the host, errors of the API.</summary>
public sealed class SecurityGroupTests(ITestOutputHelper output) : NetworkHostTest
{
    private const string Httpd = "#!/bin/sh\nmkdir -p /www\necho hello from $(hostname) > /www/index.html\nhttpd -p 80 -h /www\n";

    private InstancesClient Instances => Server.Client.Compute.Instances;

    private SecurityGroupsClient Groups => Server.Client.Network.SecurityGroups;

    [Fact]
    public async Task Bad_rules_and_groups_in_use_are_refused_with_clear_errors_and_nothing_half_applied()
    {
        var web = await Groups.CreateAsync(new CreateSecurityGroupRequest { Name = "web", Description = "web servers" });
        var spec = SecurityGroupsClient.SpecOf(web);
        spec.VpcId.ShouldBe("default");
        var members = spec.Rules.ShouldHaveSingleItem();
        (members.Direction, members.Protocol, members.GroupId, members.Action).ShouldBe(("ingress", "all", web.Id, "accept"));

        var bad = await Should.ThrowAsync<NimbusApiException>(() => Groups.AuthorizeAsync(web.Id, "ingress", new SecurityGroupRuleRequest { Protocol = "icmp", FromPort = 8 }));
        bad.Code.ShouldBe("InvalidParameter");
        bad.Text().ShouldContain("give exactly one peer");
        bad.Text().ShouldContain("ports are only for tcp and udp");
        (await Should.ThrowAsync<NimbusApiException>(() => Groups.AuthorizeAsync(web.Id, "ingress", new SecurityGroupRuleRequest { Protocol = "tcp", FromPort = 80, Cidr = "10.0.0.1/8" })))
            .Text().ShouldContain("host bits must be zero");
        (await Should.ThrowAsync<NimbusApiException>(() => Groups.AuthorizeAsync(web.Id, "ingress", new SecurityGroupRuleRequest { Protocol = "tcp", FromPort = 80, GroupId = "sg-nothere" })))
            .Text().ShouldContain("'sg-nothere' is not a security group of this account");
        (await Should.ThrowAsync<NimbusApiException>(() => Groups.CreateAsync(new CreateSecurityGroupRequest { Name = "other", VpcId = "vpc-123" })))
            .Text().ShouldContain("'vpc-123' is not a VPC");
        (await Should.ThrowAsync<NimbusApiException>(() => Groups.CreateAsync(new CreateSecurityGroupRequest { Name = "web" }))).Code.ShouldBe("AlreadyExists");

        // The per-group limit: 100 rules, the members rule included; the 101st is refused and nothing of it is kept.
        for (var port = 1; port < SecurityGroupService.MaxRulesPerGroup; port++)
        {
            await Groups.AuthorizeAsync(web.Id, "ingress", new SecurityGroupRuleRequest { Protocol = "tcp", FromPort = port, Cidr = "0.0.0.0/0" });
        }

        var over = await Should.ThrowAsync<NimbusApiException>(() => Groups.AuthorizeAsync(web.Id, "egress", new SecurityGroupRuleRequest { Protocol = "udp", FromPort = 53, Cidr = "0.0.0.0/0" }));
        over.Code.ShouldBe("LimitExceeded", "a fixed limit of the group, not the account's quota");
        over.Message.ShouldContain("the most a group may have (100");
        SecurityGroupsClient.SpecOf(await Groups.GetAsync("web")).Rules.Count.ShouldBe(SecurityGroupService.MaxRulesPerGroup);

        // The account's quota is another thing: QuotaExceeded, on any group, and nothing of the refused rule is kept.
        await Groups.GetAsync("default");
        var quota = (await Server.Client.Quotas.ListAsync()).Items.Single(q => q.Code == "network.securityGroupRules");
        await Server.Client.Quotas.SetAsync("network.securityGroupRules", quota.Usage ?? throw new InvalidOperationException("the rules quota is counted per account"));
        var overQuota = await Should.ThrowAsync<NimbusApiException>(() => Groups.AuthorizeAsync("default", "ingress", new SecurityGroupRuleRequest { Protocol = "tcp", FromPort = 22, Cidr = "0.0.0.0/0" }));
        overQuota.Code.ShouldBe("QuotaExceeded");
        overQuota.Message.ShouldContain("network.securityGroupRules");
        SecurityGroupsClient.SpecOf(await Groups.GetAsync("default")).Rules.Count.ShouldBe(1);
        await Server.Client.Quotas.SetAsync("network.securityGroupRules", quota.Limit);

        // More than five groups, or an unknown one: the run is refused and no instance, address or membership is left.
        var six = Enumerable.Repeat(web.Id, 6).ToList();
        (await Should.ThrowAsync<NimbusApiException>(() => Instances.RunAsync(new RunInstancesRequest { Image = "busybox", InstanceType = "n1.micro", SecurityGroupIds = six })))
            .Text().ShouldContain("1 to 5 security groups");
        (await Should.ThrowAsync<NimbusApiException>(() => Instances.RunAsync(new RunInstancesRequest { Image = "busybox", InstanceType = "n1.micro", Name = "lost", SecurityGroupIds = ["sg-nothere"] })))
            .Text().ShouldContain("'sg-nothere' is not a security group");
        (await Instances.ListAsync(name: "lost")).Items.ShouldBeEmpty();

        // In use: by an instance and by another group's rule. Both are named.
        var app = await Groups.CreateAsync(new CreateSecurityGroupRequest { Name = "app" });
        await Groups.AuthorizeAsync(app.Id, "ingress", new SecurityGroupRuleRequest { Protocol = "tcp", FromPort = 8080, GroupId = web.Id });
        var instance = (await Instances.RunAsync(new RunInstancesRequest { Image = "busybox", InstanceType = "n1.micro", Name = "member", SecurityGroupIds = ["web"] })).Single();
        InstancesClient.SpecOf(instance)!.SecurityGroupIds.ShouldBe([web.Id]);
        var inUse = await Should.ThrowAsync<NimbusApiException>(() => Groups.DeleteAsync(web.Id));
        inUse.Code.ShouldBe("DependencyViolation");
        inUse.Message.ShouldContain(instance.Id);
        inUse.Message.ShouldContain(app.Id);
        (await Should.ThrowAsync<NimbusApiException>(() => Groups.DeleteAsync("default"))).Code.ShouldBe("OperationNotPermitted");

        // Moved to the default group, the rule revoked: now it goes.
        await Groups.SetInstanceGroupsAsync(instance.Id, ["default"]);
        var rule = SecurityGroupsClient.SpecOf(await Groups.GetAsync(app.Id)).Rules.Single(r => r.GroupId == web.Id);
        await Groups.RevokeAsync(app.Id, "ingress", rule.Id);
        await Groups.DeleteAsync(web.Id);
        (await Should.ThrowAsync<NimbusApiException>(() => Groups.GetAsync(web.Id))).Code.ShouldBe("NotFound");
        (await Groups.ListAsync()).Items.Select(g => g.Name).Order().ShouldBe(["app", "default"]);
    }

    [Fact]
    public async Task Rules_are_honored_both_ways_for_tcp_and_icmp_and_a_revoke_takes_effect_within_a_second()
    {
        var web = await Groups.CreateAsync(new CreateSecurityGroupRequest { Name = "web" });
        var client = await Groups.CreateAsync(new CreateSecurityGroupRequest { Name = "client" });
        await Groups.AuthorizeAsync(web.Id, "ingress", new SecurityGroupRuleRequest { Protocol = "tcp", FromPort = 80, GroupId = client.Id });
        var servers = await Instances.RunAsync(new RunInstancesRequest { Image = "busybox", InstanceType = "n1.micro", Name = "srv", Count = 2, UserData = Httpd, SecurityGroupIds = [web.Id] });
        var caller = (await Instances.RunAsync(new RunInstancesRequest { Image = "busybox", InstanceType = "n1.micro", Name = "cli", UserData = Httpd, SecurityGroupIds = [client.Id] })).Single();
        foreach (var instance in servers.Append(caller))
        {
            await Instances.WaitForPhaseAsync(instance.Id, InstancesClient.RunningPhase, ComputeServer.Wait);
        }

        var server = servers[0];
        var serverIp = InstancesClient.PrivateIpAddressOf(server)!;
        var peerIp = InstancesClient.PrivateIpAddressOf(servers[1])!;
        var callerIp = InstancesClient.PrivateIpAddressOf(caller)!;

        // client → web on 80: allowed (the httpd may still be starting, so poll).
        (await Poll.UntilAsync(() => FetchFromAsync(caller.Id, serverIp), r => r.StartsWith("hello", StringComparison.Ordinal), what: "httpd of web from client")).ShouldBe("hello from srv-1\n");

        // The other way, web → client on 80: client lets nothing in. The host is no member of client either.
        (await FetchFromAsync(server.Id, callerIp)).ShouldStartWith("error");
        (await NetworkTests.FetchAsync($"http://{serverIp}/")).ShouldStartWith("error");

        // Members of one group talk (the group's own rule), on any protocol.
        (await FetchUntilAnsweredAsync(servers[1].Id, serverIp)).ShouldBe("hello from srv-1\n");
        (await PingUntilAnsweredAsync(servers[1].Id, serverIp)).ShouldBeTrue();

        // ICMP: denied until a rule allows it from client, then allowed.
        (await PingAsync(caller.Id, serverIp)).ShouldBeFalse();
        var icmp = await Groups.AuthorizeAsync(web.Id, "ingress", new SecurityGroupRuleRequest { Protocol = "icmp", GroupId = client.Id });
        (await PingUntilAnsweredAsync(caller.Id, serverIp)).ShouldBeTrue();
        (await PingUntilAnsweredAsync(caller.Id, peerIp)).ShouldBeTrue();

        // A drop at the same priority as an accept wins: drop tcp/80 from client at 1000 closes the port.
        var drop = await Groups.AuthorizeAsync(web.Id, "ingress", new SecurityGroupRuleRequest { Protocol = "tcp", FromPort = 80, Cidr = "0.0.0.0/0", Action = "drop" });
        (await FetchFromAsync(caller.Id, serverIp)).ShouldStartWith("error");
        var dropRule = SecurityGroupsClient.SpecOf(drop).Rules.Single(r => r.Action == "drop");
        await Groups.RevokeAsync(web.Id, "ingress", dropRule.Id);
        (await FetchUntilAnsweredAsync(caller.Id, serverIp)).ShouldBe("hello from srv-1\n");

        // The kernel holds it in Nimbus's own table: a vmap by address, a member set per named group.
        var table = await Host.RunAsync("nft", ["list", "table", "inet", Server.NftTable + "_filter"]);
        table.ExitCode.ShouldBe(0, table.Stderr);
        table.Stdout.ShouldContain("ct state established,related accept");
        table.Stdout.ShouldContain($"{serverIp} : jump in_");
        table.Stdout.ShouldContain("set m_" + client.Id.Replace('-', '_'));

        // Revoke: a new connection is refused within a second of the call.
        var tcp = SecurityGroupsClient.SpecOf(icmp).Rules.Single(r => r.Protocol == "tcp");
        // The call returns once the kernel has the new ruleset, so the first connection after it is already refused.
        var handle = await NftListing.TableHandleAsync(Server.NftTable + "_filter");
        var clock = Stopwatch.StartNew();
        await Groups.RevokeAsync(web.Id, "ingress", tcp.Id);
        var took = clock.Elapsed;
        (await NftListing.TableHandleAsync(Server.NftTable + "_filter")).ShouldBe(handle, "a rule change applies its delta to the table, it does not replace it");
        output.WriteLine($"revoke call (store write and nft transaction): {took.TotalMilliseconds:F0} ms");
        took.ShouldBeLessThan(TimeSpan.FromSeconds(1));
        (await FetchFromAsync(caller.Id, serverIp, timeoutSeconds: 1)).ShouldStartWith("error");
        (await PingUntilAnsweredAsync(caller.Id, serverIp)).ShouldBeTrue("the icmp rule stays");

        // Moving the caller into web while it runs: members talk again on 80.
        await Groups.SetInstanceGroupsAsync(caller.Id, [client.Id, web.Id]);
        (await FetchUntilAnsweredAsync(caller.Id, serverIp)).ShouldBe("hello from srv-1\n");
    }

    /// <summary>curl in the instance's network namespace (its address, its interface, its rules); the page or "error: ...".</summary>
    private async Task<string> FetchFromAsync(string instanceId, string ip, int timeoutSeconds = 2)
    {
        var (code, stdout, stderr) = await Host.RunAsync("ip", ["netns", "exec", Server.NetnsOf(instanceId), "curl", "-sS", "--max-time", timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), $"http://{ip}/"]);
        return code == 0 ? stdout : "error: " + stderr.Trim();
    }

    private static async Task<bool> PingAsync(string instanceId, string ip) =>
        (await Host.ExecAsync(instanceId, "ping", "-c", "1", "-W", "1", ip)).ExitCode == 0;

    // A path the rules allow answers; one lost probe on a loaded machine (a slow fork of busybox httpd, a late ARP reply) is
    // not a rule, so an allowed path gets a few seconds of tries. Denied paths stay single probes: a pass cannot come late.
    private Task<string> FetchUntilAnsweredAsync(string instanceId, string ip) =>
        Poll.UntilAsync(() => FetchFromAsync(instanceId, ip), r => !r.StartsWith("error", StringComparison.Ordinal), TimeSpan.FromSeconds(5), $"http://{ip}/ from {instanceId}");

    private static async Task<bool> PingUntilAnsweredAsync(string instanceId, string ip)
    {
        try
        {
            return await Poll.UntilAsync(() => PingAsync(instanceId, ip), ok => ok, TimeSpan.FromSeconds(5), $"ping {ip} from {instanceId}");
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}

internal static class ApiErrorText
{
    /// <summary>The problem's message and every field error, for assertions on what a user reads.</summary>
    public static string Text(this NimbusApiException error) => error.Message + " | " + string.Join(" | ", error.Errors.Select(e => $"{e.Field}: {e.Message}"));
}
