using System.Globalization;
using Nimbus.Agent.Linux;
using Nimbus.Compute.Node;

namespace Nimbus.Agent.Runc;

/// <summary>
/// A command on a pseudo-terminal: <c>runc exec --detach --tty</c> created the terminal in the instance and sent its
/// master here through the console socket. runc is gone by then, so the exit code comes from the status file that
/// <c>nimbus-init --exec</c> writes when the command ends (see nimbus-init.c).
/// </summary>
internal sealed class TerminalExec : IExecProcess
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(25);
    private static readonly TimeSpan KillGrace = TimeSpan.FromSeconds(2);
    private static readonly byte[] EndOfFile = [0x04];
    private readonly TerminalStream _terminal;
    private readonly int _pid;
    private readonly ulong? _startTime;
    private readonly string _statusFile;
    private readonly string _pidFile;
    private readonly CancellationTokenSource _disposed = new();
    private int _killed;

    public TerminalExec(TerminalStream terminal, int pid, string statusFile, string pidFile)
    {
        _terminal = terminal;
        _pid = pid;
        _startTime = HostInfo.StartTimeOf(pid);
        _statusFile = statusFile;
        _pidFile = pidFile;
        Exited = WatchAsync();
    }

    public Stream Input => _terminal;

    public Stream Output => _terminal;

    public Stream? Error => null;

    public Task<int> Exited { get; }

    public void CloseInput()
    {
        try
        {
            _terminal.Write(EndOfFile);
        }
        catch (IOException)
        {
            // The terminal hung up: nothing reads input any more.
        }
    }

    public void Resize(int rows, int columns) => _terminal.Resize(rows, columns);

    public void Kill()
    {
        if (Interlocked.Exchange(ref _killed, 1) != 0 || !Alive())
        {
            return;
        }

        // A hang-up, as when a terminal closes; nimbus-init --exec passes it on. What survives it is killed after a grace.
        Native.Signal(_pid, Native.SigHup);
        _ = Task.Delay(KillGrace).ContinueWith(
            _ =>
            {
                if (Alive())
                {
                    ProcessTree.Kill(_pid);
                }
            },
            TaskScheduler.Default);
    }

    public async ValueTask DisposeAsync()
    {
        if (!Exited.IsCompleted)
        {
            Kill();
            await Exited.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }

        await _disposed.CancelAsync().ConfigureAwait(false);
        await _terminal.DisposeAsync().ConfigureAwait(false);
        File.Delete(_statusFile);
        File.Delete(_pidFile);
        _disposed.Dispose();
    }

    private bool Alive() => _startTime is { } start && HostInfo.StartTimeOf(_pid) == start;

    private async Task<int> WatchAsync()
    {
        try
        {
            while (true)
            {
                if (ReadStatus() is { } code)
                {
                    return code;
                }

                if (!Alive())
                {
                    // Gone without a status (killed with SIGKILL): one last look, then report the kill.
                    return ReadStatus() ?? 128 + Native.SigKill;
                }

                await Task.Delay(PollInterval, _disposed.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            return 128 + Native.SigKill;
        }
        finally
        {
            _terminal.MarkEnded();
        }
    }

    private int? ReadStatus()
    {
        string text;
        try
        {
            text = File.ReadAllText(_statusFile);
        }
        catch (IOException)
        {
            return null;
        }

        var parts = text.Trim().Split(' ');
        if (!text.EndsWith('\n') || parts.Length != 2 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return null;
        }

        return parts[0] == "signal" ? 128 + value : value;
    }
}
