using System.Runtime.InteropServices;

namespace Nimbus.Cli.Terminal;

/// <summary>
/// Puts the local terminal in raw mode (no echo, no line editing, no signals from Ctrl-C: every key goes to the remote
/// terminal as typed) and restores it when disposed, as ssh does for an interactive session.
/// </summary>
internal sealed partial class RawTerminal : IDisposable
{
    // struct termios is 60 bytes on Linux; the buffer is larger so that no libc's layout can overrun it.
    private const int TermiosSize = 256;
    private const int StdinFd = 0;
    private const int TcsaNow = 0;
    private readonly byte[] _saved;
    private int _restored;

    private RawTerminal(byte[] saved)
    {
        _saved = saved;
    }

    /// <summary>Raw mode on standard input; null when it is not a terminal (nothing to change).</summary>
    public static RawTerminal? Enter()
    {
        var saved = new byte[TermiosSize];
        if (TcGetAttr(StdinFd, saved) != 0)
        {
            return null;
        }

        var raw = (byte[])saved.Clone();
        CfMakeRaw(raw);
        if (TcSetAttr(StdinFd, TcsaNow, raw) != 0)
        {
            throw new IOException($"could not put the terminal in raw mode: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }

        return new RawTerminal(saved);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _restored, 1) == 0)
        {
            _ = TcSetAttr(StdinFd, TcsaNow, _saved);
        }
    }

    [LibraryImport("libc", EntryPoint = "tcgetattr", SetLastError = true)]
    private static partial int TcGetAttr(int fd, [Out] byte[] termios);

    [LibraryImport("libc", EntryPoint = "tcsetattr", SetLastError = true)]
    private static partial int TcSetAttr(int fd, int optionalActions, byte[] termios);

    [LibraryImport("libc", EntryPoint = "cfmakeraw")]
    private static partial void CfMakeRaw([In, Out] byte[] termios);
}
