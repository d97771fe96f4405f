using System.Buffers.Binary;
using Nimbus.Agent.Linux;
using Nimbus.Compute.Node;

namespace Nimbus.Agent.Images;

/// <summary>
/// Builds the built-in <c>busybox</c> root filesystem from Debian's busybox-static: the static binary, a link per
/// applet at the path BusyBox itself lists (<c>busybox --list-full</c>: bin/sh, sbin/ip, usr/bin/wget ...), and the
/// /etc basics a userland expects. No network, a few milliseconds.
/// </summary>
internal static class BusyboxImageBuilder
{
    public const string HostBinary = "/bin/busybox";

    public static async Task BuildAsync(string rootfs, CancellationToken cancellationToken)
    {
        var binary = RequireStaticBusybox();
        var applets = await ProcessRunner.RunAsync(binary, ["--list-full"], cancellationToken).ConfigureAwait(false);
        if (applets.ExitCode != 0)
        {
            throw new NodeException($"{binary} --list-full failed ({applets.ExitCode}): {applets.Stderr.Trim()}; reinstall busybox-static");
        }

        foreach (var directory in new[] { "bin", "sbin", "usr/bin", "usr/sbin", "etc", "dev", "proc", "sys", "root", "home", "run", "var/log", "var/www", "var/spool/cron/crontabs", "mnt", "opt" })
        {
            Directory.CreateDirectory(Path.Combine(rootfs, directory));
        }

        var tmp = Path.Combine(rootfs, "tmp");
        Directory.CreateDirectory(tmp);
        File.SetUnixFileMode(tmp, (UnixFileMode)0x3FF /* 1777 */);
        var varTmp = Path.Combine(rootfs, "var/tmp");
        Directory.CreateDirectory(varTmp);
        File.SetUnixFileMode(varTmp, (UnixFileMode)0x3FF);
        File.SetUnixFileMode(Path.Combine(rootfs, "root"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var target = Path.Combine(rootfs, "bin/busybox");
        File.Copy(binary, target);
        File.SetUnixFileMode(target, (UnixFileMode)0x1ED /* 0755 */);
        foreach (var line in applets.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var relative = line.TrimStart('/');
            if (relative.Length == 0 || relative == "bin/busybox" || relative.Contains("..", StringComparison.Ordinal))
            {
                continue;
            }

            var link = Path.Combine(rootfs, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(link)!);
            if (!File.Exists(link))
            {
                File.CreateSymbolicLink(link, "/bin/busybox");
            }
        }

        await WriteAsync(rootfs, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n", cancellationToken).ConfigureAwait(false);
        await WriteAsync(rootfs, "etc/group", "root:x:0:\ntty:x:5:\nnogroup:x:65534:\n", cancellationToken).ConfigureAwait(false);
        await WriteAsync(rootfs, "etc/shadow", "root:*:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n", cancellationToken).ConfigureAwait(false);
        File.SetUnixFileMode(Path.Combine(rootfs, "etc/shadow"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await WriteAsync(rootfs, "etc/hosts", "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n", cancellationToken).ConfigureAwait(false);
        await WriteAsync(rootfs, "etc/nsswitch.conf", "passwd: files\ngroup: files\nhosts: files dns\n", cancellationToken).ConfigureAwait(false);
        await WriteAsync(rootfs, "etc/resolv.conf", "", cancellationToken).ConfigureAwait(false);
        await WriteAsync(rootfs, "etc/profile", "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nexport PS1='\\h:\\w\\$ '\n", cancellationToken).ConfigureAwait(false);
        await WriteAsync(rootfs, "etc/os-release", "NAME=\"BusyBox\"\nID=busybox\nPRETTY_NAME=\"Nimbus BusyBox (Debian busybox-static)\"\nHOME_URL=\"https://busybox.net/\"\n", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The host's busybox binary, refusing a dynamically linked one: it would not find its libraries inside an instance.</summary>
    private static string RequireStaticBusybox()
    {
        if (!File.Exists(HostBinary))
        {
            throw new NodeException("the busybox image is built from Debian's busybox-static, which is not installed: apt-get install busybox-static");
        }

        if (HasInterpreter(HostBinary))
        {
            throw new NodeException($"{HostBinary} is dynamically linked (Debian's busybox package); the image needs the static one: apt-get install busybox-static");
        }

        return HostBinary;
    }

    /// <summary>True when an ELF64 file has a PT_INTERP program header, i.e. needs the dynamic loader.</summary>
    private static bool HasInterpreter(string path)
    {
        using var file = File.OpenRead(path);
        Span<byte> header = stackalloc byte[64];
        if (file.Read(header) < 64 || header[0] != 0x7F || header[1] != (byte)'E' || header[4] != 2)
        {
            return false;
        }

        var programHeaders = (long)BinaryPrimitives.ReadUInt64LittleEndian(header[0x20..]);
        var entrySize = BinaryPrimitives.ReadUInt16LittleEndian(header[0x36..]);
        var count = BinaryPrimitives.ReadUInt16LittleEndian(header[0x38..]);
        Span<byte> entry = stackalloc byte[4];
        for (var i = 0; i < count; i++)
        {
            file.Position = programHeaders + ((long)i * entrySize);
            if (file.Read(entry) == 4 && BinaryPrimitives.ReadUInt32LittleEndian(entry) == 3)
            {
                return true;
            }
        }

        return false;
    }

    private static Task WriteAsync(string rootfs, string relative, string content, CancellationToken cancellationToken) =>
        File.WriteAllTextAsync(Path.Combine(rootfs, relative), content, cancellationToken);
}
