using System.Diagnostics;
using Shouldly;
using Xunit;

namespace Nimbus.Compute.Tests;

/// <summary>
/// The instances' init run on the host (it works outside a PID namespace as a subreaper): what an instance does
/// when it is stopped while its init still waits for the network.
/// </summary>
public sealed class NimbusInitTests
{
    [Fact]
    public async Task A_stop_while_waiting_for_carrier_ends_the_init_at_once_and_starts_nothing()
    {
        Prerequisites.RequireNetworkHost();

        // A veth pair left down has no carrier: the init would wait its whole 60 s cap for it.
        var device = $"nbi{Environment.ProcessId % 100000}";
        await RunIpAsync("link", "add", device, "type", "veth", "peer", "name", device + "p");
        try
        {
            var marker = Path.Combine(Path.GetTempPath(), $"nimbus-init-test-{Guid.NewGuid():N}");
            var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "nimbus-init"))
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[] { "-n", device, "--", "/bin/busybox", "touch", marker })
            {
                start.ArgumentList.Add(argument);
            }

            using var init = Process.Start(start)!;
            var stderr = init.StandardError.ReadToEndAsync();
            try
            {
                // Signals are blocked (and so held pending) once the init is in its wait: only then is SIGTERM a stop
                // request rather than the default action.
                await Nimbus.Testing.Poll.UntilAsync(() => Task.FromResult(SignalsBlocked(init.Id)), blocked => blocked, TimeSpan.FromSeconds(10), "the init to block its signals");
                var stopped = Stopwatch.StartNew();
                Kill(init.Id, 15).ShouldBe(0);

                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await init.WaitForExitAsync(timeout.Token);
                stopped.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5), "a stop must not be held until the carrier wait's cap");
                init.ExitCode.ShouldBe(0);
                (await stderr).ShouldContain($"stopped while waiting for {device}");
                File.Exists(marker).ShouldBeFalse("the workload must not start after a stop");
            }
            finally
            {
                if (!init.HasExited)
                {
                    init.Kill();
                }

                File.Delete(marker);
            }
        }
        finally
        {
            await RunIpAsync("link", "del", device);
        }
    }

    private static bool SignalsBlocked(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("SigBlk:", StringComparison.Ordinal));
            return line is not null && Convert.ToUInt64(line["SigBlk:".Length..].Trim(), 16) != 0;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static async Task RunIpAsync(params string[] arguments)
    {
        var (code, _, stderr) = await Host.RunAsync("ip", arguments);
        code.ShouldBe(0, $"ip {string.Join(' ', arguments)}: {stderr}");
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
