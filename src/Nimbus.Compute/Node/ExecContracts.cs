namespace Nimbus.Compute.Node;

/// <summary>A command to run in a running instance (<c>runc exec</c>): its namespaces, its cgroups, its root filesystem.</summary>
public sealed record ExecLaunch
{
    public required string InstanceId { get; init; }

    /// <summary>The program and its arguments (argv); never passed through a shell.</summary>
    public required IReadOnlyList<string> Command { get; init; }

    /// <summary>True: run on a pseudo-terminal (standard error goes to it too).</summary>
    public bool Tty { get; init; }

    /// <summary>Terminal rows at start; 0 leaves the terminal's default.</summary>
    public int Rows { get; init; }

    /// <summary>Terminal columns at start; 0 leaves the terminal's default.</summary>
    public int Columns { get; init; }
}

/// <summary>A command running in an instance: its standard streams (or terminal), its size and its end.</summary>
public interface IExecProcess : IAsyncDisposable
{
    /// <summary>The process's standard input (with a terminal: the keyboard).</summary>
    Stream Input { get; }

    /// <summary>End of input: the pipe closes (with a terminal, an end-of-file character, Ctrl-D, is typed).</summary>
    void CloseInput();

    /// <summary>Its standard output; with a terminal everything it writes. Reads 0 once it ended and all was read.</summary>
    Stream Output { get; }

    /// <summary>Its standard error; null with a terminal.</summary>
    Stream? Error { get; }

    /// <summary>The exit code once it ended: the code, or 128 + N when signal N killed it.</summary>
    Task<int> Exited { get; }

    /// <summary>Gives the terminal a new size (the process gets SIGWINCH); nothing without a terminal.</summary>
    void Resize(int rows, int columns);

    /// <summary>Ends the process (the client went away): SIGHUP, then SIGKILL.</summary>
    void Kill();
}
