namespace Nimbus.Cli.Tests.Fakes;

/// <summary>Runs the CLI in-process with captured streams, its own config dir and optionally a canned HTTP handler.</summary>
public sealed class CliRun : IDisposable
{
    private readonly TempDirectory _configDir = new();

    public CliRun(CannedHandler? handler = null, bool withCredentials = true)
    {
        Handler = handler;
        Environment = new Dictionary<string, string> { ["NIMBUS_CONFIG_DIR"] = _configDir.Path, ["HOME"] = _configDir.Path };
        if (withCredentials)
        {
            Environment["NIMBUS_ACCESS_KEY_ID"] = "NKIATESTKEY00001";
            Environment["NIMBUS_SECRET_ACCESS_KEY"] = "test-secret";
            Environment["NIMBUS_ENDPOINT"] = "http://nimbus.test:7070";
        }
    }

    public CannedHandler? Handler { get; }

    public Dictionary<string, string> Environment { get; }

    public string ConfigDir => _configDir.Path;

    public async Task<CliResult> RunAsync(string[] args, string? stdin = null)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var host = new CliHost
        {
            Stdout = stdout,
            Stderr = stderr,
            Stdin = stdin is null ? TextReader.Null : new StringReader(stdin),
            Environment = Environment,
            HttpHandler = Handler,
        };
        var exitCode = await CliApp.RunAsync(args, host);
        return new CliResult(exitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs with standard input and output as bytes (<c>cp -</c>); returns what went to standard output as bytes.</summary>
    public async Task<(CliResult Result, byte[] Stdout)> RunWithBytesAsync(string[] args, Stream stdinBytes)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        using var stdoutBytes = new MemoryStream();
        var host = new CliHost
        {
            Stdout = stdout,
            Stderr = stderr,
            StdinBytes = stdinBytes,
            StdoutBytes = stdoutBytes,
            Environment = Environment,
            HttpHandler = Handler,
        };
        var exitCode = await CliApp.RunAsync(args, host);
        return (new CliResult(exitCode, stdout.ToString(), stderr.ToString()), stdoutBytes.ToArray());
    }

    public Task<CliResult> RunAsync(string commandLine) =>
        RunAsync(commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    public void Dispose() => _configDir.Dispose();
}
