namespace Nimbus.Sdk.Compute;

/// <summary>How to run a command in an instance (<see cref="InstancesClient.ExecAsync"/>).</summary>
public sealed record ExecOptions
{
    /// <summary>Required. The program and its arguments (argv, never through a shell); at most 256 arguments and 4096 characters.</summary>
    public required IReadOnlyList<string> Command { get; init; }

    /// <summary>Optional. Run on a pseudo-terminal (standard error goes to it too); default false.</summary>
    public bool Tty { get; init; }

    /// <summary>Optional. Send standard input (<see cref="ExecSession.WriteInputAsync"/>); default false: the command reads end of file at once.</summary>
    public bool Stdin { get; init; }

    /// <summary>Optional. Terminal rows at start, with <see cref="Tty"/>; default the terminal's own.</summary>
    public int? Rows { get; init; }

    /// <summary>Optional. Terminal columns at start, with <see cref="Tty"/>; default the terminal's own.</summary>
    public int? Columns { get; init; }
}

/// <summary>Which stream a piece of output came from.</summary>
public enum ExecStream
{
    /// <summary>Standard output (with a terminal: everything).</summary>
    Stdout = 1,

    /// <summary>Standard error.</summary>
    Stderr = 2,
}

/// <summary>A piece of output of an exec session.</summary>
/// <param name="Stream">Where it came from.</param>
/// <param name="Data">The bytes.</param>
public sealed record ExecOutput(ExecStream Stream, ReadOnlyMemory<byte> Data);

/// <summary>The outcome of <see cref="InstancesClient.RunCommandAsync"/>.</summary>
/// <param name="ExitCode">The command's exit code (128 + N when signal N killed it).</param>
/// <param name="Stdout">Its standard output, as UTF-8 text.</param>
/// <param name="Stderr">Its standard error, as UTF-8 text.</param>
public sealed record ExecResult(int ExitCode, string Stdout, string Stderr);
