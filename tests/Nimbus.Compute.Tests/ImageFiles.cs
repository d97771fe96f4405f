using System.Formats.Tar;

namespace Nimbus.Compute.Tests;

/// <summary>Root filesystems and archives for image tests, made with the real tools (umoci, skopeo) or TarWriter.</summary>
internal static class ImageFiles
{
    public static void RequireTools(params string[] tools)
    {
        foreach (var tool in tools)
        {
            if (!new[] { "/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/", "/usr/local/bin/" }.Any(d => File.Exists(d + tool)))
            {
                throw new InvalidOperationException($"{tool} is not installed: apt-get install {tool} (./test.sh installs it)");
            }
        }
    }

    /// <summary>A tiny userland: the static busybox, /bin/sh, /etc/motd, /srv.</summary>
    public static void WriteBusyboxRootfs(string rootfs)
    {
        Prerequisites.RequireBusybox();
        foreach (var directory in new[] { "bin", "etc", "srv", "tmp", "proc", "sys", "dev" })
        {
            Directory.CreateDirectory(Path.Combine(rootfs, directory));
        }

        File.Copy("/bin/busybox", Path.Combine(rootfs, "bin/busybox"));
        File.SetUnixFileMode(Path.Combine(rootfs, "bin/busybox"), (UnixFileMode)0x1ED);
        foreach (var applet in new[] { "sh", "cat", "echo", "sleep", "ls", "test" })
        {
            File.CreateSymbolicLink(Path.Combine(rootfs, "bin", applet), "busybox");
        }

        File.WriteAllText(Path.Combine(rootfs, "etc/motd"), "welcome\n");
    }

    public static async Task RunAsync(string program, params string[] arguments)
    {
        var (code, stdout, stderr) = await Host.RunAsync(program, arguments);
        if (code != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({code}): {stdout}{stderr}");
        }
    }

    /// <summary>A tar whose entries are written as given (names, links and types a normal tool would never produce).</summary>
    public static async Task WriteTarAsync(string path, params TarEntry[] entries)
    {
        await using var file = File.Create(path);
        await using var writer = new TarWriter(file, TarEntryFormat.Pax, leaveOpen: false);
        foreach (var entry in entries)
        {
            await writer.WriteEntryAsync(entry);
        }
    }

    public static PaxTarEntry File_(string name, string content, int uid = 0, int mode = 0x1A4)
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name)
        {
            DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)),
            Uid = uid,
            Gid = uid,
            Mode = (UnixFileMode)mode,
        };
        return entry;
    }

    public static PaxTarEntry Link(TarEntryType type, string name, string target) => new(type, name) { LinkName = target, Mode = (UnixFileMode)0x1FF };

    public static PaxTarEntry Dir(string name) => new(TarEntryType.Directory, name) { Mode = (UnixFileMode)0x1ED };
}
