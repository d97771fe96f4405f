using System.Diagnostics;

namespace Nimbus.Compute.Tests;

/// <summary>Looks at instances from the host, as an operator would: runc, cgroups, mounts.</summary>
internal static class Host
{
    /// <summary>Runs a program in the instance (runc exec: its namespaces, its cgroup) and returns exit code and output.</summary>
    public static Task<(int ExitCode, string Stdout, string Stderr)> ExecAsync(string instanceId, params string[] command) =>
        RunAsync("runc", ["--root", ComputeServer.RuncRoot, "exec", instanceId, .. command]);

    public static async Task<string?> RuncStatusAsync(string instanceId)
    {
        var (code, stdout, _) = await RunAsync("runc", ["--root", ComputeServer.RuncRoot, "state", instanceId]);
        return code != 0 ? null : System.Text.Json.JsonDocument.Parse(stdout).RootElement.GetProperty("status").GetString();
    }

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Every cgroup directory of the instance in any hierarchy.</summary>
    public static IReadOnlyList<string> CgroupsOf(string instanceId) =>
        [.. Directory.EnumerateDirectories("/sys/fs/cgroup").Select(h => Path.Combine(h, "nimbus", instanceId)).Where(Directory.Exists)];

    /// <summary>Mount points whose path names the instance.</summary>
    public static IReadOnlyList<string> MountsOf(string instanceId) =>
        [.. File.ReadLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4]).Where(p => p.Contains(instanceId, StringComparison.Ordinal))];

    public static string CgroupFile(string controller, string instanceId, string file) => Path.Combine("/sys/fs/cgroup", controller, "nimbus", instanceId, file);
}
