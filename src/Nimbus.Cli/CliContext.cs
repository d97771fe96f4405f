using System.CommandLine;
using Nimbus.Cli.Output;
using Nimbus.Sdk;
using Nimbus.Sdk.Configuration;
using Nimbus.Sdk.S3;

namespace Nimbus.Cli;

/// <summary>State shared by the commands of one run: the host, the global options and the way failures are reported.</summary>
internal sealed class CliContext
{
    public CliContext(CliHost host, GlobalOptions globals)
    {
        Host = host;
        Globals = globals;
    }

    public CliHost Host { get; }

    public GlobalOptions Globals { get; }

    public TextWriter Stdout => Host.Stdout;

    public TextWriter Stderr => Host.Stderr;

    public CredentialChain CreateChain() => new(Host.Environment);

    public NimbusSettings ResolveSettings(ParseResult parseResult) => CreateChain().Resolve(Globals.Overrides(parseResult));

    public OutputWriter CreateOutput(NimbusSettings settings) => new(OutputWriter.Parse(settings.Output), Stdout);

    public NimbusClient CreateClient(NimbusSettings settings)
    {
        var options = settings.ToClientOptions() with { UserAgent = "nimbus-cli" };
        return Host.HttpHandler is { } handler
            ? new NimbusClient(options, handler, disposeHandler: false)
            : new NimbusClient(options);
    }

    public S3Client CreateS3Client(NimbusSettings settings, S3PayloadSigning? signing = null)
    {
        var options = settings.ToS3ClientOptions() with { UserAgent = "nimbus-cli" };
        if (signing is { } mode)
        {
            options = options with { PayloadSigning = mode };
        }

        return Host.HttpHandler is { } handler
            ? new S3Client(options, handler, disposeHandler: false)
            : new S3Client(options);
    }

    /// <summary>Sets a command's action that talks to the API with a client and an output writer.</summary>
    public void SetApiAction(Command command, Func<ParseResult, NimbusClient, OutputWriter, CancellationToken, Task> action) =>
        SetAction(command, async (parseResult, cancellationToken) =>
        {
            var settings = ResolveSettings(parseResult);
            var output = CreateOutput(settings);
            using var client = CreateClient(settings);
            await action(parseResult, client, output, cancellationToken).ConfigureAwait(false);
        });

    /// <summary>Sets a command's action that talks to the API and decides the exit code itself (exec passes on the remote command's).</summary>
    public void SetApiActionWithExitCode(Command command, Func<ParseResult, NimbusClient, CancellationToken, Task<int>> action) =>
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            try
            {
                var settings = ResolveSettings(parseResult);
                using var client = CreateClient(settings);
                return await action(parseResult, client, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                return ErrorReporter.Report(ex, Stderr);
            }
        });

    /// <summary>Sets a command's action; every failure becomes an <c>error:</c> line and an exit code.</summary>
    public void SetAction(Command command, Func<ParseResult, CancellationToken, Task> action) =>
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            try
            {
                await action(parseResult, cancellationToken).ConfigureAwait(false);
                return ExitCodes.Ok;
            }
            catch (Exception ex)
            {
                return ErrorReporter.Report(ex, Stderr);
            }
        });
}
