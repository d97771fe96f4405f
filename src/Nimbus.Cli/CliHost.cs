namespace Nimbus.Cli;

/// <summary>What a run of the CLI talks to: its streams, its environment and, for tests, its HTTP handler.</summary>
public sealed record CliHost
{
    /// <summary>Required. Where results go.</summary>
    public required TextWriter Stdout { get; init; }

    /// <summary>Required. Where errors, warnings and progress go.</summary>
    public required TextWriter Stderr { get; init; }

    /// <summary>Optional. Answers to <c>nimbus configure</c>'s prompts; default no input (every prompt keeps its default).</summary>
    public TextReader Stdin { get; init; } = TextReader.Null;

    /// <summary>Optional. Standard input as bytes, for <c>nimbus storage cp - s3://...</c>; default none (such a copy is refused).</summary>
    public Stream? StdinBytes { get; init; }

    /// <summary>Optional. Standard output as bytes, for <c>nimbus storage cp s3://... -</c>; default none (such a copy is refused).</summary>
    public Stream? StdoutBytes { get; init; }

    /// <summary>
    /// Required. Environment variables the run sees (<c>NIMBUS_*</c>, <c>HOME</c>); the process environment is never read
    /// besides this, so in-process runs are isolated from each other.
    /// </summary>
    public required IReadOnlyDictionary<string, string> Environment { get; init; }

    /// <summary>Optional. Whether <see cref="Stderr"/> is a terminal, where progress bars are drawn; default false.</summary>
    public bool StderrIsTerminal { get; init; }

    /// <summary>Optional. HTTP handler for API calls (e.g. an in-memory test server's); default a real socket handler.</summary>
    public HttpMessageHandler? HttpHandler { get; init; }
}
