using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.Win32.SafeHandles;
using Nimbus.Agent.Linux;
using Nimbus.Compute.Node;

namespace Nimbus.Agent.Runc;

/// <summary>Commands in running instances: <c>runc exec</c>, with pipes or with a pseudo-terminal.</summary>
public sealed partial class RuncNode
{
    private static readonly TimeSpan ExecStartTimeout = TimeSpan.FromSeconds(30);

    public async Task<IExecProcess> ExecAsync(ExecLaunch launch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(launch);
        var runc = Runc();
        var observed = await InspectAsync(launch.InstanceId, cancellationToken).ConfigureAwait(false);
        if (observed.State != InstanceRuntimeState.Running)
        {
            throw new NodeException($"instance {launch.InstanceId} does not run");
        }

        var paths = PathsOf(launch.InstanceId);
        var name = Guid.NewGuid().ToString("N")[..12];
        var pidFile = Path.Combine(paths.Bundle, $"exec-{name}.pid");

        // Every exec runs under `nimbus-init --exec`: it resets the OOM score the init may carry, passes on hang-ups, and
        // with a terminal writes the exit status where the host can read it.
        var statusInside = launch.Tty ? $"{BundleConfig.GuestDirectory}/exec/{name}.status" : "-";
        string[] wrapped = [BundleConfig.GuestInit, "--exec", statusInside, "--", .. launch.Command];
        return launch.Tty
            ? await StartTerminalExecAsync(runc, launch, paths, name, pidFile, wrapped, cancellationToken).ConfigureAwait(false)
            : StartPipedExec(runc, launch, pidFile, wrapped);
    }

    private PipedExec StartPipedExec(string runc, ExecLaunch launch, string pidFile, string[] wrapped)
    {
        var start = new ProcessStartInfo(runc)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["--root", _options.RuncRoot, "exec", "--pid-file", pidFile, launch.InstanceId, .. wrapped])
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new NodeException("runc exec could not be started");
        return new PipedExec(process, pidFile);
    }

    private async Task<TerminalExec> StartTerminalExecAsync(
        string runc, ExecLaunch launch, InstancePaths paths, string name, string pidFile, string[] wrapped, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.Combine(paths.Meta, "exec"));
        var statusFile = Path.Combine(paths.Meta, "exec", name + ".status");
        var socketDirectory = Path.Combine(Path.GetDirectoryName(_options.RuncRoot.TrimEnd('/')) ?? "/run/nimbus", "exec");
        Directory.CreateDirectory(socketDirectory);
        File.SetUnixFileMode(socketDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var socketPath = Path.Combine(socketDirectory, name + ".sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(socketPath));
            listener.Listen(1);

            // runc creates the terminal inside the instance and sends its master to the console socket, then leaves.
            var result = await ProcessRunner.RunAsync(
                runc,
                ["--root", _options.RuncRoot, "exec", "--detach", "--tty", "--console-socket", socketPath, "--pid-file", pidFile, "--env", "TERM=xterm", launch.InstanceId, .. wrapped],
                cancellationToken,
                ExecStartTimeout).ConfigureAwait(false);
            if (result.ExitCode != 0)
            {
                throw new NodeException($"runc exec failed: {result.Stderr.Trim()}");
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ExecStartTimeout);
            using var connection = await listener.AcceptAsync(timeout.Token).ConfigureAwait(false);
            var master = Native.ReceiveDescriptor((int)connection.Handle, (int)ExecStartTimeout.TotalMilliseconds);
            var terminal = new TerminalStream(new SafeFileHandle(master, ownsHandle: true));
            if (launch.Rows > 0 && launch.Columns > 0)
            {
                terminal.Resize(launch.Rows, launch.Columns);
            }

            var pid = PipedExec.ReadPid(pidFile) ?? throw new NodeException("runc exec did not write the process id");
            return new TerminalExec(terminal, pid, statusFile, pidFile);
        }
        finally
        {
            File.Delete(socketPath);
        }
    }
}
