using System.Diagnostics;

namespace Nimbus.Agent.Linux;

/// <summary>Runs a long program (debootstrap, cp) with an argument list, handing each line of its output to a callback as it comes.</summary>
internal static class StreamingProcess
{
    /// <summary>Runs <paramref name="program"/>; returns its exit code and the last lines of its output (for an error message).</summary>
    public static async Task<(int ExitCode, IReadOnlyList<string> Tail)> RunAsync(
        string program, IEnumerable<string> arguments, Func<string, Task> onLine, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new IOException($"could not start {program}");
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var gate = new SemaphoreSlim(1, 1);
        limit.CancelAfter(timeout);
        var tail = new Queue<string>();
        async Task PumpAsync(StreamReader reader)
        {
            while (await reader.ReadLineAsync(limit.Token).ConfigureAwait(false) is { } line)
            {
                await gate.WaitAsync(limit.Token).ConfigureAwait(false);
                try
                {
                    tail.Enqueue(line);
                    if (tail.Count > 20)
                    {
                        tail.Dequeue();
                    }

                    await onLine(line).ConfigureAwait(false);
                }
                finally
                {
                    gate.Release();
                }
            }
        }

        try
        {
            await Task.WhenAll(PumpAsync(process.StandardOutput), PumpAsync(process.StandardError), process.WaitForExitAsync(limit.Token)).ConfigureAwait(false);
            return (process.ExitCode, [.. tail]);
        }
        catch (Exception ex)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It had ended.
            }

            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            if (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"{program} did not finish within {timeout.TotalMinutes:0} minutes", ex);
            }

            throw;
        }
    }
}
