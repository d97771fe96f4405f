namespace Nimbus.Contracts.Compute;

/// <summary>
/// The frames of an exec session (<c>GET /v1/compute/instances/{id}/exec</c>, upgraded to a WebSocket). Every frame is
/// one binary WebSocket message: a type byte, then the payload. docs/compute.md describes the protocol.
/// </summary>
public static class ExecProtocol
{
    /// <summary>Client to server: bytes for the process's standard input; an empty payload closes it (end of file).</summary>
    public const byte Stdin = 0;

    /// <summary>Server to client: bytes the process wrote to its standard output (with a terminal: everything it wrote).</summary>
    public const byte Stdout = 1;

    /// <summary>Server to client: bytes the process wrote to its standard error (never sent with a terminal).</summary>
    public const byte Stderr = 2;

    /// <summary>Client to server: the terminal's new size, rows then columns, each a big-endian unsigned 16-bit number.</summary>
    public const byte Resize = 3;

    /// <summary>Server to client, last: the exit code as a big-endian 32-bit number (128 + N when signal N killed the process). The server closes the WebSocket after it.</summary>
    public const byte Exit = 4;

    /// <summary>Largest frame either side sends or takes: 64 KiB of payload plus the type byte.</summary>
    public const int MaxFrameBytes = (64 * 1024) + 1;

    /// <summary>Query parameter naming one argument of the command, repeated in order (argv).</summary>
    public const string CommandParameter = "command";

    /// <summary>Query parameter <c>true</c>: run the command on a pseudo-terminal.</summary>
    public const string TtyParameter = "tty";

    /// <summary>Query parameter <c>true</c>: the client sends standard input; otherwise the process reads end of file at once.</summary>
    public const string StdinParameter = "stdin";

    /// <summary>Query parameter: the terminal's rows at start (with <c>tty=true</c>).</summary>
    public const string RowsParameter = "rows";

    /// <summary>Query parameter: the terminal's columns at start (with <c>tty=true</c>).</summary>
    public const string ColumnsParameter = "cols";

    /// <summary>Most arguments of a command.</summary>
    public const int MaxArguments = 256;

    /// <summary>Most characters of a command, its arguments summed.</summary>
    public const int MaxCommandLength = 4096;
}
