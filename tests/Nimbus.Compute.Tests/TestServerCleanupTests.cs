using Nimbus.Contracts.Compute;
using Nimbus.Sdk.Compute;
using Shouldly;
using Xunit;

namespace Nimbus.Compute.Tests;

/// <summary>A test server with a running instance and security groups leaves nothing on the host: no table, namespace or bridge.</summary>
public sealed class TestServerCleanupTests
{
    [Fact]
    public async Task A_disposed_test_server_leaves_no_tables_namespaces_or_bridge_behind()
    {
        Prerequisites.RequireNetworkHost();
        string bridge, table;
        await using (var server = await ComputeServer.StartAsync())
        {
            (bridge, table) = (server.Bridge, server.NftTable);
            var instance = (await server.Client.Compute.Instances.RunAsync(new RunInstancesRequest { Image = "busybox", InstanceType = "n1.micro", Name = "left" })).Single();
            await server.Client.Compute.Instances.WaitForPhaseAsync(instance.Id, InstancesClient.RunningPhase, ComputeServer.Wait);
            (await Host.RunAsync("nft", ["list", "tables"])).Stdout.ShouldContain($"table inet {table}_filter");
            Directory.EnumerateFiles("/run/netns").ShouldContain(n => Path.GetFileName(n).StartsWith(bridge + "-", StringComparison.Ordinal));
        }

        var tables = (await Host.RunAsync("nft", ["list", "tables"])).Stdout;
        tables.ShouldNotContain(table, customMessage: "inet, bridge and filter tables of the server");
        Directory.EnumerateFiles("/run/netns").ShouldNotContain(n => Path.GetFileName(n).StartsWith(bridge + "-", StringComparison.Ordinal));
        Directory.Exists(Path.Combine("/sys/class/net", bridge)).ShouldBeFalse();
    }
}
