using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text;
using Nimbus.Cli.Terminal;
using Nimbus.Sdk.Compute;

namespace Nimbus.Cli.Commands;

/// <summary><c>nimbus compute instance exec &lt;id&gt; [--tty] [-i] -- COMMAND ARGS...</c>: its exit code is the command's.</summary>
internal static class ExecCommand
{
    public static Command Create(CliContext context)
    {
        var id = CommonOptions.Id("Instance id");
        var tty = new Option<bool>("--tty", "-t") { Description = "Run on a pseudo-terminal (an interactive shell: -it); the local terminal goes raw until the command ends" };
        var interactive = new Option<bool>("--interactive", "-i") { Description = "Send standard input to the command (end of input closes it)" };
        var program = new Argument<string[]>("command") { Description = "The program and its arguments, after --: ... -- sh -c 'ls /'", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("exec", "Run a command in a running instance; its output streams back and its exit code becomes this command's") { id, tty, interactive, program };
        context.SetApiActionWithExitCode(command, async (parseResult, client, cancellationToken) =>
        {
            var argv = parseResult.GetValue(program) ?? [];
            if (argv.Length == 0)
            {
                throw new CliUsageException("Give the command after --, e.g. nimbus compute instance exec i-... -- cat /etc/os-release");
            }

            var raw = context.Host.Raw;
            var useTty = parseResult.GetValue(tty);
            var terminal = useTty && raw is { StdinIsTerminal: true };
            var options = new ExecOptions
            {
                Command = argv,
                Tty = useTty,
                Stdin = parseResult.GetValue(interactive),
                Rows = terminal ? Console.WindowHeight : null,
                Columns = terminal ? Console.WindowWidth : null,
            };
            await using var session = await client.Compute.Instances.ExecAsync(parseResult.GetValue(id)!, options, cancellationToken).ConfigureAwait(false);
            using var rawMode = terminal ? RawTerminal.Enter() : null;
            using var resize = terminal ? PosixSignalRegistration.Create(PosixSignal.SIGWINCH, signal =>
            {
                signal.Cancel = true;
                _ = session.ResizeAsync(Math.Max(1, Console.WindowHeight), Math.Max(1, Console.WindowWidth), CancellationToken.None);
            }) : null;

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var input = options.Stdin ? SendInputAsync(context, session, stop.Token) : Task.CompletedTask;
            var stdout = new Output(raw?.Stdout, context.Stdout);
            var stderr = new Output(raw?.Stderr, context.Stderr);
            while (await session.ReadAsync(cancellationToken).ConfigureAwait(false) is { } output)
            {
                await (output.Stream == ExecStream.Stdout ? stdout : stderr).WriteAsync(output.Data, cancellationToken).ConfigureAwait(false);
            }

            await stop.CancelAsync().ConfigureAwait(false);
            rawMode?.Dispose();
            return session.ExitCode ?? throw new IOException($"the exec session ended without an exit code ({session.CloseReason})");
        });
        return command;
    }

    /// <summary>Standard input to the command until it ends: bytes when the CLI has its process's streams, text otherwise (in-process runs).</summary>
    private static async Task SendInputAsync(CliContext context, ExecSession session, CancellationToken cancellationToken)
    {
        try
        {
            if (context.Host.Raw is { } raw)
            {
                var stdin = raw.OpenStdin();
                var buffer = new byte[16 * 1024];
                int read;
                while ((read = await stdin.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    await session.WriteInputAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
            }
            else
            {
                var buffer = new char[4096];
                int read;
                while ((read = await context.Host.Stdin.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    await session.WriteInputAsync(Encoding.UTF8.GetBytes(buffer, 0, read), cancellationToken).ConfigureAwait(false);
                }
            }

            await session.CloseInputAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or System.Net.WebSockets.WebSocketException or ObjectDisposedException)
        {
            // The command ended first: the rest of the input has nowhere to go.
        }
    }

    /// <summary>One output stream: bytes as they are, or text decoded across frame boundaries.</summary>
    private sealed class Output(Stream? bytes, TextWriter text)
    {
        private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();

        public async Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            if (bytes is not null)
            {
                await bytes.WriteAsync(data, cancellationToken).ConfigureAwait(false);
                await bytes.FlushAsync(cancellationToken).ConfigureAwait(false);
                return;
            }

            var chars = new char[Encoding.UTF8.GetMaxCharCount(data.Length)];
            var count = _decoder.GetChars(data.Span, chars, flush: false);
            await text.WriteAsync(chars.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
            await text.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
