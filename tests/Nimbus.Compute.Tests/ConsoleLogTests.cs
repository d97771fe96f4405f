using System.Text;
using Nimbus.Contracts.Compute;
using Nimbus.Sdk.Compute;
using Shouldly;
using Xunit;

namespace Nimbus.Compute.Tests;

/// <summary>The console log is capped and rotated so that a chatty instance cannot fill the disk, and a reader following it keeps its place.</summary>
public sealed class ConsoleLogTests
{
    private const int Cap = 8192;

    [Fact]
    public async Task A_chatty_instance_keeps_at_most_twice_the_cap_and_a_follower_misses_nothing_across_rotations()
    {
        Prerequisites.RequireRuncHost();
        await using var server = await ComputeServer.StartAsync(o => o with { ComputeConsoleLogMaxBytes = Cap });
        var instances = server.Client.Compute.Instances;

        // About 25 KB at about 2.5 KB/s: three rotations, and 16 KB kept give a reader polling the API seconds of slack
        // on a loaded machine.
        const int lines = 1000;
        var script = $"i=0; while [ $i -lt {lines} ]; do echo \"line-$i-padpadpadpad\"; i=$((i+1)); if [ $((i % 10)) = 0 ]; then usleep 100000; fi; done; echo finished; sleep 3600";
        var created = (await instances.RunAsync(new RunInstancesRequest { Image = "busybox", InstanceType = "n1.micro", Name = "chatty", Command = ["sh", "-c", script] })).Single();
        await instances.WaitForPhaseAsync(created.Id, InstancesClient.RunningPhase, ComputeServer.Wait);

        var followed = new StringBuilder();
        long offset = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!followed.ToString().Contains("finished\n", StringComparison.Ordinal))
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, "the workload's output did not finish in time");
            var chunk = await instances.GetConsoleOutputAsync(created.Id, offset);
            chunk.Offset.ShouldBe(offset, "the follower fell behind what the log keeps");
            followed.Append(chunk.Output);
            offset = chunk.NextOffset;
            if (chunk.NextOffset == chunk.Size)
            {
                await Task.Delay(20);
            }
        }

        var expected = string.Concat(Enumerable.Range(0, lines).Select(i => $"line-{i}-padpadpadpad\n")) + "finished\n";
        followed.ToString().ShouldBe(expected);

        var directory = server.InstanceDirectory(created.Id);
        new FileInfo(Path.Combine(directory, "console.log")).Length.ShouldBeLessThanOrEqualTo(Cap);
        new FileInfo(Path.Combine(directory, "console.log.1")).Length.ShouldBe(Cap);

        // Reading from the start gives the oldest byte still kept; the size counts everything ever written.
        var first = await instances.GetConsoleOutputAsync(created.Id, 0);
        first.Size.ShouldBe(Encoding.UTF8.GetByteCount(expected));
        first.Offset.ShouldBeGreaterThan(first.Size - (2 * Cap) - 1);
        first.Offset.ShouldBeLessThanOrEqualTo(first.Size - Cap);
        var tail = await instances.GetConsoleOutputAsync(created.Id, -9);
        tail.Output.ShouldBe("finished\n");
    }
}
