using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using Nimbus.Cli.Commands;

namespace Nimbus.Cli;

/// <summary>
/// The <c>nimbus</c> command, runnable in-process: integration tests call <see cref="RunAsync(string[], TextWriter, TextWriter, IReadOnlyDictionary{string, string}, CancellationToken)"/>
/// with their own streams and environment, exactly as <c>Program.Main</c> does with the console's.
/// </summary>
public static class CliApp
{
    /// <summary>Runs one command line.</summary>
    /// <param name="args">Arguments after the program name, e.g. <c>["demo", "widget", "list", "-o", "json"]</c>.</param>
    /// <param name="stdout">Receives results.</param>
    /// <param name="stderr">Receives errors, warnings and progress.</param>
    /// <param name="environment">The only environment variables the run sees (<c>NIMBUS_*</c>, <c>HOME</c>).</param>
    /// <param name="cancellationToken">Cancels the run (exit code 130).</param>
    /// <returns>The exit code: see <see cref="ExitCodes"/>.</returns>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken = default) =>
        RunAsync(args, new CliHost { Stdout = stdout, Stderr = stderr, Environment = environment }, cancellationToken);

    /// <summary>Runs one command line against a fully specified host (stdin for prompts, an HTTP handler for tests).</summary>
    /// <param name="args">Arguments after the program name.</param>
    /// <param name="host">Streams, environment and optional HTTP handler.</param>
    /// <param name="cancellationToken">Cancels the run (exit code 130).</param>
    /// <returns>The exit code: see <see cref="ExitCodes"/>.</returns>
    public static async Task<int> RunAsync(string[] args, CliHost host, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(host);
        var root = BuildRootCommand(new CliContext(host, new GlobalOptions()));
        var parseResult = root.Parse(args);

        // Help wins over errors, so `nimbus demo widget create --help` works without the required options.
        if (parseResult.Errors.Count > 0 && parseResult.Action is not HelpAction)
        {
            foreach (var error in parseResult.Errors)
            {
                host.Stderr.WriteLine($"error: {error.Message}");
            }

            host.Stderr.WriteLine($"run `{CommandPath(parseResult.CommandResult)} --help` for usage.");
            return ExitCodes.UsageError;
        }

        var invocation = new InvocationConfiguration
        {
            Output = host.Stdout,
            Error = host.Stderr,
            EnableDefaultExceptionHandler = false,

            // The caller owns Ctrl+C (Program.Main cancels the token); in-process runs must not hook the process.
            ProcessTerminationTimeout = null,
        };
        try
        {
            return await parseResult.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            return ErrorReporter.Report(ex, host.Stderr);
        }
    }

    internal static Command BuildRootCommand(CliContext context)
    {
        var root = new Command("nimbus", "Nimbus: a self-hosted cloud. Usage: nimbus <service> <resource> <verb> [options]")
        {
            new HelpOption(),
            new VersionOption(),
            ConfigureCommand.Create(context),
            WhoamiCommand.Create(context),
            AccessKeyCommands.CreateService(context),
            WidgetCommands.CreateService(context),
            QuotaCommands.CreateService(context),
            AuditCommands.CreateService(context),
            StsCommands.CreateService(context),
            StorageCommands.CreateService(context),
            ComputeCommands.CreateService(context),
            NetworkCommands.CreateService(context),
        };
        context.Globals.AddTo(root);
        return root;
    }

    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? current = result; current is not null; current = current.Parent)
        {
            if (current is CommandResult command)
            {
                names.Add(command.Command.Name);
            }
        }

        names.Reverse();
        return string.Join(' ', names);
    }
}
