using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Nimbus.Cli.Tests.EndToEnd.Support;

/// <summary>
/// A program run as a real process (<c>dotnet &lt;dll&gt; args...</c>, no shell): its output is captured line by line,
/// it can be signalled like an operator would (SIGTERM), and disposing it kills it if it is still running.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    public const int Sigint = 2;

    public const int Sigterm = 15;

    private readonly Process _process;
    private readonly Lock _gate = new();
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly List<string> _stdoutLines = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> _waiters = [];
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildProcess(Process process)
    {
        _process = process;
    }

    public int Id => _process.Id;

    public string Stdout
    {
        get
        {
            lock (_gate)
            {
                return _stdout.ToString();
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_gate)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>
    /// Starts <c>dotnet <paramref name="dll"/> <paramref name="args"/></c> with the test's environment minus every
    /// <c>NIMBUS_*</c> variable, plus <paramref name="environment"/>.
    /// </summary>
    public static ChildProcess Start(string dll, IEnumerable<string> args, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(Binaries.DotnetHost)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("NIMBUS_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(name);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var process = new Process { StartInfo = info };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => child.OnStdout(e.Data);
        process.ErrorDataReceived += (_, e) => child.OnStderr(e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Runs a program to its end and returns what it printed.</summary>
    public static async Task<Fakes.CliResult> RunAsync(string dll, IEnumerable<string> args, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        await using var child = Start(dll, args, workingDirectory, environment);
        var exitCode = await child.WaitForExitAsync(timeout ?? TimeSpan.FromSeconds(60));
        return new Fakes.CliResult(exitCode, child.Stdout, child.Stderr);
    }

    /// <summary>The first stdout line matching <paramref name="match"/>, printed already or before <paramref name="timeout"/>.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, string what)
    {
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_stdoutLines.FirstOrDefault(match) is { } line)
            {
                return line;
            }

            if (_stdoutClosed.Task.IsCompleted)
            {
                throw new InvalidOperationException($"The process ended without printing {what}.\n{this}");
            }

            _waiters.Add((match, found));
        }

        try
        {
            return await found.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"No {what} on stdout within {timeout.TotalSeconds:0}s.\n{this}");
        }
    }

    /// <summary>Waits for the process to end and for its output to be read to the end; returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
            await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task).WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The process did not end within {timeout.TotalSeconds:0}s.\n{this}");
        }

        return _process.ExitCode;
    }

    /// <summary>Sends a POSIX signal, as <c>kill -s</c> would; Process.Kill can only SIGKILL.</summary>
    public void Signal(int signal)
    {
        if (Kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public override string ToString() => $"--- stdout\n{Stdout}--- stderr\n{Stderr}";

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void OnStdout(string? line)
    {
        if (line is null)
        {
            List<TaskCompletionSource<string>> orphans;
            lock (_gate)
            {
                orphans = _waiters.Select(w => w.Found).ToList();
                _waiters.Clear();
            }

            _stdoutClosed.TrySetResult();
            foreach (var orphan in orphans)
            {
                orphan.TrySetException(new InvalidOperationException($"The process closed stdout before printing the line waited for.\n{this}"));
            }

            return;
        }

        List<TaskCompletionSource<string>> matched;
        lock (_gate)
        {
            _stdout.Append(line).Append('\n');
            _stdoutLines.Add(line);
            matched = _waiters.Where(w => w.Match(line)).Select(w => w.Found).ToList();
            _waiters.RemoveAll(w => matched.Contains(w.Found));
        }

        foreach (var found in matched)
        {
            found.TrySetResult(line);
        }
    }

    private void OnStderr(string? line)
    {
        if (line is null)
        {
            _stderrClosed.TrySetResult();
            return;
        }

        lock (_gate)
        {
            _stderr.Append(line).Append('\n');
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
