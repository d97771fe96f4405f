using System.Diagnostics;
using Nimbus.Contracts.Compute;
using Nimbus.Contracts.Network;
using Nimbus.Sdk.Compute;
using Nimbus.Sdk.Network;
using Shouldly;
using Xunit;

namespace Nimbus.Compute.Tests;

/// <summary>
/// What a rule change does to connections: an established one is left alone (a revoke of an unrelated rule, and even of
/// the rule that let it in), while new connections follow the rules at once.
/// </summary>
public sealed class SecurityGroupConnectionTests : IAsyncLifetime
{
    private const int Port = 9000;

    // An echo server and a client that sends each line of its stdin over one connection and prints the answer.
    private const string EchoServer = """
        import socket, threading
        s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", 9000)); s.listen(8)
        print("listening", flush=True)
        def echo(c):
            for data in iter(lambda: c.recv(4096), b""):
                c.sendall(data)
        while True:
            threading.Thread(target=echo, args=(s.accept()[0],), daemon=True).start()
        """;

    private const string EchoClient = """
        import socket, sys
        c = socket.create_connection((sys.argv[1], 9000), timeout=3)
        print("connected", flush=True)
        for line in sys.stdin:
            c.sendall(line.encode()); print(c.recv(4096).decode().strip(), flush=True)
        """;

    private readonly List<Process> _processes = [];
    private ComputeServer _server = null!;

    private SecurityGroupsClient Groups => _server.Client.Network.SecurityGroups;

    public async Task InitializeAsync()
    {
        Prerequisites.RequireNetworkHost();
        if (!File.Exists("/usr/bin/python3"))
        {
            throw new InvalidOperationException("python3 is not installed: apt-get install python3 (./test.sh installs it)");
        }

        _server = await ComputeServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var process in _processes)
        {
            try
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
            catch (InvalidOperationException)
            {
            }

            process.Dispose();
        }

        await _server.DisposeAsync();
    }

    [Fact]
    public async Task An_established_connection_survives_revokes_while_new_connections_follow_the_rules()
    {
        var web = await Groups.CreateAsync(new CreateSecurityGroupRequest { Name = "web" });
        var client = await Groups.CreateAsync(new CreateSecurityGroupRequest { Name = "client" });
        var echo = SecurityGroupsClient.SpecOf(await Groups.AuthorizeAsync(web.Id, "ingress", new SecurityGroupRuleRequest { Protocol = "tcp", FromPort = Port, GroupId = client.Id }))
            .Rules.Single(r => r.Protocol == "tcp");
        var unrelated = SecurityGroupsClient.SpecOf(await Groups.AuthorizeAsync(web.Id, "ingress", new SecurityGroupRuleRequest { Protocol = "udp", FromPort = 53, Cidr = "10.0.0.0/8" }))
            .Rules.Single(r => r.Protocol == "udp");
        var server = (await _server.Client.Compute.Instances.RunAsync(new RunInstancesRequest { Image = "busybox", InstanceType = "n1.micro", Name = "echo", SecurityGroupIds = [web.Id] })).Single();
        var caller = (await _server.Client.Compute.Instances.RunAsync(new RunInstancesRequest { Image = "busybox", InstanceType = "n1.micro", Name = "caller", SecurityGroupIds = [client.Id] })).Single();
        server = await _server.Client.Compute.Instances.WaitForPhaseAsync(server.Id, InstancesClient.RunningPhase, ComputeServer.Wait);
        await _server.Client.Compute.Instances.WaitForPhaseAsync(caller.Id, InstancesClient.RunningPhase, ComputeServer.Wait);
        var serverIp = InstancesClient.PrivateIpAddressOf(server)!;

        var listener = Start(server.Id, EchoServer);
        (await ReadLineAsync(listener)).ShouldBe("listening");
        var connection = Start(caller.Id, EchoClient, serverIp);
        (await ReadLineAsync(connection)).ShouldBe("connected");
        (await ExchangeAsync(connection, "one")).ShouldBe("one");

        // An unrelated rule goes: the connection carries on.
        await Groups.RevokeAsync(web.Id, "ingress", unrelated.Id);
        (await ExchangeAsync(connection, "two")).ShouldBe("two");

        // The rule that let it in goes: a new connection is refused at once, the established one is left alone.
        await Groups.RevokeAsync(web.Id, "ingress", echo.Id);
        var refused = Start(caller.Id, EchoClient, serverIp);
        (await ReadLineAsync(refused)).ShouldBeNull("a new connection after the revoke is refused");
        (await ExchangeAsync(connection, "three")).ShouldBe("three", "the established connection outlives the rule that let it in");

        // Authorized again: new connections pass once more.
        await Groups.AuthorizeAsync(web.Id, "ingress", new SecurityGroupRuleRequest { Protocol = "tcp", FromPort = Port, GroupId = client.Id });
        var again = Start(caller.Id, EchoClient, serverIp);
        (await ReadLineAsync(again)).ShouldBe("connected");
        (await ExchangeAsync(again, "four")).ShouldBe("four");
    }

    private Process Start(string instanceId, string script, params string[] args)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "netns", "exec", _server.NetnsOf(instanceId), "python3", "-c", script }.Concat(args))
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("ip netns exec did not start");
        _processes.Add(process);
        return process;
    }

    private static async Task<string?> ExchangeAsync(Process client, string text)
    {
        await client.StandardInput.WriteLineAsync(text);
        await client.StandardInput.FlushAsync();
        return await ReadLineAsync(client);
    }

    /// <summary>The next line the process prints; null when it ends without one (a refused or broken connection).</summary>
    private static async Task<string?> ReadLineAsync(Process process) =>
        await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
}
