using System.Collections;

namespace Nimbus.Cli;

/// <summary>Process entry point of <c>nimbus</c>; everything else lives in <see cref="CliApp"/>.</summary>
public static class Program
{
    /// <summary>Runs the CLI on the console.</summary>
    /// <param name="args">Command-line arguments.</param>
    /// <returns>The exit code: see <see cref="ExitCodes"/>.</returns>
    public static async Task<int> Main(string[] args)
    {
        using var cancellation = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            // First Ctrl+C cancels the running call cleanly; a second one kills the process as usual.
            e.Cancel = !cancellation.IsCancellationRequested;
            cancellation.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            await using var stdinBytes = Console.OpenStandardInput();
            await using var stdoutBytes = Console.OpenStandardOutput();
            var host = new CliHost
            {
                Stdout = Console.Out,
                Stderr = Console.Error,
                Stdin = Console.In,
                StdinBytes = stdinBytes,
                StdoutBytes = stdoutBytes,
                Environment = ProcessEnvironment(),
                StderrIsTerminal = !Console.IsErrorRedirected,
            };
            return await CliApp.RunAsync(args, host, cancellation.Token).ConfigureAwait(false);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static Dictionary<string, string> ProcessEnvironment()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string key && entry.Value is string value)
            {
                variables[key] = value;
            }
        }

        return variables;
    }
}
