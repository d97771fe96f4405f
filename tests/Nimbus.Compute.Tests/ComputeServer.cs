using Nimbus.Agent.Network;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk;
using Nimbus.Sdk.Compute;
using Nimbus.Server.Hosting;
using Nimbus.Testing;
using Shouldly;

namespace Nimbus.Compute.Tests;

/// <summary>A real server with a short stop grace period, an SDK client, and helpers to look at instances from the host.</summary>
internal sealed class ComputeServer : IAsyncDisposable
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private bool _keptRunning;
    private ComputeServer? _predecessor;
    public const string RuncRoot = "/run/nimbus/runc";

    private ComputeServer(NimbusServer server, TimeProvider time)
    {
        Server = server;
        Client = new NimbusClient(new NimbusClientOptions
        {
            Endpoint = server.Endpoint,
            Credentials = server.AdminCredentials,
            Region = server.Host.Options.Region,
            WaitPollInterval = TimeSpan.FromMilliseconds(50),
            TimeProvider = time,
        });
    }

    public NimbusServer Server { get; private set; }

    public NimbusClient Client { get; private set; }

    public string DataDirectory => Server.DataDirectory;

    public static async Task<ComputeServer> StartAsync(
        Func<NimbusServerOptions, NimbusServerOptions>? configure = null, string? dataDirectory = null, bool waitForImage = true, TimeProvider? time = null)
    {
        var server = await NimbusServer.StartAsync(
            o => (configure ?? (x => x))(WithOwnNetwork(o with { ComputeStopGracePeriod = TimeSpan.FromSeconds(3), RuncRoot = RuncRoot })),
            dataDirectory,
            time);
        var compute = new ComputeServer(server, time ?? TimeProvider.System);
        if (waitForImage)
        {
            await compute.WaitForBusyboxAsync();
        }

        return compute;
    }

    /// <summary>Runs the <c>nimbus</c> CLI in process against this server as its administrator, with <paramref name="home"/> as its home and config directory.</summary>
    public async Task<(int ExitCode, string Stdout, string Stderr)> RunCliAsync(string home, params string[] args)
    {
        var environment = new Dictionary<string, string>
        {
            ["HOME"] = home,
            ["NIMBUS_CONFIG_DIR"] = home,
            ["NIMBUS_ENDPOINT"] = Server.Endpoint.ToString(),
            ["NIMBUS_ACCESS_KEY_ID"] = Server.Admin.AccessKeyId,
            ["NIMBUS_SECRET_ACCESS_KEY"] = Server.Admin.SecretAccessKey,
        };
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await Nimbus.Cli.CliApp.RunAsync(args, stdout, stderr, environment);
        return (code, stdout.ToString(), stderr.ToString());
    }

    public async Task<ResourceDto> WaitForBusyboxAsync()
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var image = await Client.Compute.Images.GetAsync("busybox");
            if (image.Status.Phase == ImagesClient.AvailablePhase)
            {
                return image;
            }

            if (image.Status.Phase == "failed" || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"busybox image is {image.Status.Phase}: {image.Status.Message}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>The bridge of this server's default network (its own, so that servers of parallel tests never share one).</summary>
    public string Bridge => Server.Host.Options.NetworkBridge;

    /// <summary>This server's elastic IP pool (its own /28 of 127.0.0.0/8, on <c>lo</c>).</summary>
    public string ElasticIpPool => Server.Host.Options.NetworkEipPool;

    /// <summary>Name of this server's nftables tables (inet and bridge).</summary>
    public string NftTable => "nimbus_" + Bridge.Replace('-', '_');

    /// <summary>The instance's network namespace, as <c>ip netns</c> names it.</summary>
    public string NetnsOf(string instanceId) => Bridge + "-" + instanceId;

    /// <summary>
    /// A bridge and a /24 of 10.200.0.0/13 derived from the data directory: a restarted server gets the same ones, two
    /// servers of parallel tests (nearly always) different ones.
    /// </summary>
    private static NimbusServerOptions WithOwnNetwork(NimbusServerOptions options)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(options.DataDirectory));
        var bridge = "nt" + Convert.ToHexStringLower(hash.AsSpan(0, 5));
        return options with
        {
            NetworkBridge = bridge,
            NetworkCidr = $"10.{200 + (hash[5] % 8)}.{hash[6]}.0/24",
            NetworkEipPool = $"127.{101 + (hash[11] % 100)}.{hash[12]}.{hash[13] & 0xf0}/28",
            NetworkDefaultVpcPool = DefaultVpcPoolOf(hash),
            NetworkDefaultVpcPrefixLength = 24,
            NetworkDefaultSubnetPrefixLength = 26,
        };
    }

    /// <summary>This server's pool of default VPCs: a /22 of 100.64.0.0/10 (four accounts' /24 default VPCs, /26 default subnets of 61 addresses).</summary>
    private static string DefaultVpcPoolOf(byte[] hash) => $"100.{64 + (hash[7] % 64)}.{hash[8] & 0xfc}.0/22";

    /// <summary>
    /// A /26 block for VPCs a test makes (<paramref name="index"/> 0 to 3) in a /24 of 172.16.0.0/12 derived from the data
    /// directory, so that servers of parallel tests (nearly always) route different ranges.
    /// </summary>
    public string VpcRange(int index)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(DataDirectory));
        return $"172.{16 + (hash[9] % 16)}.{hash[10]}.{index * 64}/26";
    }

    public string InstanceDirectory(string id) => Path.Combine(DataDirectory, "compute", "instances", id);

    /// <summary>Stops the server, keeping its data directory and the running instances.</summary>
    public async Task<string> StopServerAsync()
    {
        _keptRunning = true;
        Client.Dispose();
        await Server.StopAsync();
        return DataDirectory;
    }

    /// <summary>
    /// Starts a server on the data directory of this one (stopped by <see cref="StopServerAsync"/>), which then removes
    /// that directory when it is disposed, as this one would have: a fixture that swaps its server for the successor
    /// never disposes this one, and the directory stayed in /tmp.
    /// </summary>
    public async Task<ComputeServer> StartSuccessorAsync(Func<NimbusServerOptions, NimbusServerOptions>? configure = null)
    {
        _keptRunning.ShouldBeTrue("StopServerAsync first: a successor starts on a stopped server's data directory");
        var next = await StartAsync(configure, DataDirectory);
        next._predecessor = this;
        return next;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await DisposeServerAsync();
        }
        finally
        {
            if (_predecessor is not null)
            {
                // Its host is already stopped: this removes the data directory it owns.
                await _predecessor.Server.DisposeAsync();
            }
        }
    }

    private async Task DisposeServerAsync()
    {
        var bridge = Bridge;
        var table = NftTable;
        try
        {
            await TerminateAllAsync();
        }
        finally
        {
            // Whatever the termination did (a wait that timed out used to skip everything below and leave the server,
            // its bridge, tables and namespaces behind), the server stops and its network goes.
            Client.Dispose();
            var data = DataDirectory;
            try
            {
                await Server.StopAsync();
                if (!_keptRunning)
                {
                    await RemoveInterruptedStartsAsync(data);
                }

                await Server.DisposeAsync();
            }
            finally
            {
                // The bridge and the tables stay when Nimbus stops (instances keep their network); a test server's go
                // with it, unless the test stopped it to start another on the same data directory.
                if (!_keptRunning)
                {
                    await RemoveNetworkAsync(bridge, table);
                }
            }
        }
    }

    /// <summary>Terminates what the test left running (nothing to do for a server the test already stopped).</summary>
    private async Task TerminateAllAsync()
    {
        try
        {
            await foreach (var instance in Client.Compute.Instances.ListAllAsync())
            {
                if (instance.Status.Phase != InstancesClient.TerminatedPhase)
                {
                    try
                    {
                        await Client.Compute.Instances.ModifyAsync(instance.Id, new Contracts.Compute.ModifyInstanceRequest { DeletionProtection = false });
                        await Client.Compute.Instances.TerminateAsync(instance.Id);
                        await Client.Compute.Instances.WaitForPhaseAsync(instance.Id, InstancesClient.TerminatedPhase, Wait);
                    }
                    catch (Exception e) when (e is NimbusClientException or TimeoutException)
                    {
                    }
                }
            }
        }
        catch (NimbusClientException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>
    /// What a start cut short by the server's stop leaves (a start is cancelled with the server, and only the next start
    /// of that installation would clean it): the instance's container or runc state directory and its root filesystem
    /// mount, which would keep the data directory from being removed.
    /// </summary>
    private static async Task RemoveInterruptedStartsAsync(string dataDirectory)
    {
        var instances = Path.Combine(dataDirectory, "compute", "instances");
        if (!Directory.Exists(instances))
        {
            return;
        }

        var mounts = await File.ReadAllTextAsync("/proc/self/mountinfo");
        foreach (var directory in Directory.EnumerateDirectories(instances))
        {
            var id = Path.GetFileName(directory);
            await Host.RunAsync("runc", ["--root", RuncRoot, "delete", "--force", id]);
            var state = Path.Combine(RuncRoot, id);
            if (Directory.Exists(state))
            {
                Directory.Delete(state, recursive: true);
            }

            var rootfs = Path.Combine(directory, "rootfs");
            if (mounts.Contains(" " + rootfs + " ", StringComparison.Ordinal))
            {
                await Host.RunAsync("umount", [rootfs]);
            }
        }
    }

    /// <summary>The tables, the namespaces of instances a termination did not clean (their veth pairs go with them), the default bridge and the VPC bridges.</summary>
    private static async Task RemoveNetworkAsync(string bridge, string table)
    {
        await Host.RunAsync("nft", ["delete", "table", "inet", table]);
        await Host.RunAsync("nft", ["delete", "table", "bridge", table]);
        await Host.RunAsync("nft", ["delete", "table", "inet", table + "_filter"]);
        if (Directory.Exists("/run/netns"))
        {
            foreach (var name in Directory.EnumerateFiles("/run/netns").Select(Path.GetFileName).Where(n => n!.StartsWith(bridge + "-", StringComparison.Ordinal)))
            {
                await Host.RunAsync("ip", ["netns", "del", name!]);
            }
        }

        await Host.RunAsync("nft", ["delete", "table", "inet", table + "_edge"]);
        await Host.RunAsync("ip", ["link", "del", bridge]);

        // A VPC's bridge stays while its VPC exists, and a test server goes without deleting its VPCs: its bridges
        // are the ones the node marked as this installation's (the owner the server's DefaultNetwork.BridgeOwner gives).
        var node = new LinuxNetworkNode(Microsoft.Extensions.Logging.Abstractions.NullLogger<LinuxNetworkNode>.Instance);
        foreach (var vpcBridge in await node.ListVpcBridgesAsync("nimbus:" + table, CancellationToken.None))
        {
            await Host.RunAsync("ip", ["link", "del", vpcBridge]);
        }
    }
}
