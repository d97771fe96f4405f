using System.Diagnostics;
using System.Globalization;
using Nimbus.Agent.Linux;
using Nimbus.Compute.Node;

namespace Nimbus.Agent.Runc;

/// <summary>
/// A command without a terminal: <c>runc exec</c> in the foreground, whose standard streams are the command's (runc
/// hands its own pipes to the process) and whose exit code is the command's.
/// </summary>
internal sealed class PipedExec : IExecProcess
{
    private static readonly TimeSpan KillGrace = TimeSpan.FromSeconds(2);
    private readonly Process _runc;
    private readonly string _pidFile;
    private int _killed;

    public PipedExec(Process runc, string pidFile)
    {
        _runc = runc;
        _pidFile = pidFile;
        Exited = WaitAsync();
    }

    public Stream Input => _runc.StandardInput.BaseStream;

    public Stream Output => _runc.StandardOutput.BaseStream;

    public Stream? Error => _runc.StandardError.BaseStream;

    public Task<int> Exited { get; }

    public void CloseInput()
    {
        try
        {
            _runc.StandardInput.Close();
        }
        catch (IOException)
        {
            // The process is gone: its input is closed anyway.
        }
    }

    public void Resize(int rows, int columns)
    {
    }

    public void Kill()
    {
        if (Interlocked.Exchange(ref _killed, 1) != 0 || _runc.HasExited)
        {
            return;
        }

        // runc passes SIGHUP to the command (through nimbus-init --exec); what ignores it is killed after a grace.
        Native.Signal(_runc.Id, Native.SigHup);
        _ = Task.Delay(KillGrace).ContinueWith(
            _ =>
            {
                if (!_runc.HasExited)
                {
                    if (ReadPid(_pidFile) is { } pid)
                    {
                        ProcessTree.Kill(pid);
                    }

                    Native.Signal(_runc.Id, Native.SigKill);
                }
            },
            TaskScheduler.Default);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_runc.HasExited)
        {
            Kill();
            await Exited.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }

        _runc.Dispose();
        File.Delete(_pidFile);
    }

    internal static int? ReadPid(string pidFile)
    {
        try
        {
            return int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private async Task<int> WaitAsync()
    {
        await _runc.WaitForExitAsync().ConfigureAwait(false);
        return _runc.ExitCode;
    }
}
