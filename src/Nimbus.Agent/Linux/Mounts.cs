using System.Runtime.InteropServices;
using System.Text;

namespace Nimbus.Agent.Linux;

/// <summary>Overlay mounts through mount(2)/umount2(2): no mount(8) command line, so no path is ever parsed by a shell.</summary>
internal static partial class Mounts
{
    private const int MntDetach = 2;
    private const ulong MsReadOnly = 1;
    private const int Einval = 22;
    private const int Ebusy = 16;

    /// <summary>Mounts an overlay of <paramref name="lower"/> (read-only) and <paramref name="upper"/> (the changes) on <paramref name="target"/>.</summary>
    public static void MountOverlay(string lower, string upper, string work, string target)
    {
        foreach (var path in new[] { lower, upper, work })
        {
            // The option string separates with ',' and ':'; such paths would be read as other options.
            if (path.AsSpan().IndexOfAny(",:") >= 0)
            {
                throw new IOException($"overlay paths must not contain ',' or ':': {path}");
            }
        }

        var data = $"lowerdir={lower},upperdir={upper},workdir={work}";
        if (Mount("overlay", target, "overlay", 0, data) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"mounting the overlay on {target} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}); the kernel needs overlayfs (modprobe overlay)");
        }
    }

    /// <summary>
    /// Mounts a read-only overlay of <paramref name="lowers"/> (first on top) on <paramref name="target"/>: the merged
    /// view of layers, whiteouts and opaque directories of upper layers applied, without writing to any of them.
    /// </summary>
    public static void MountReadOnlyOverlay(IReadOnlyList<string> lowers, string target)
    {
        foreach (var path in lowers)
        {
            if (path.AsSpan().IndexOfAny(",:") >= 0)
            {
                throw new IOException($"overlay paths must not contain ',' or ':': {path}");
            }
        }

        if (Mount("overlay", target, "overlay", MsReadOnly, "lowerdir=" + string.Join(':', lowers)) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"mounting the read-only overlay on {target} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
        }
    }

    /// <summary>Unmounts <paramref name="target"/> if it is a mount point; a busy one is detached (lazy).</summary>
    public static void Unmount(string target)
    {
        if (!IsMountPoint(target))
        {
            return;
        }

        if (Umount2(target, 0) == 0)
        {
            return;
        }

        var errno = Marshal.GetLastPInvokeError();
        if (errno == Ebusy && Umount2(target, MntDetach) == 0)
        {
            return;
        }

        if (errno != Einval)
        {
            throw new IOException($"unmounting {target} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
        }
    }

    /// <summary>True when <paramref name="path"/> is a mount point in this process's mount namespace.</summary>
    public static bool IsMountPoint(string path) => MountPoints().Contains(Path.TrimEndingDirectorySeparator(path));

    /// <summary>Every mount point of this process's mount namespace (from /proc/self/mountinfo, octal escapes decoded).</summary>
    public static HashSet<string> MountPoints()
    {
        var points = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ');
            if (fields.Length > 4)
            {
                points.Add(Unescape(fields[4]));
            }
        }

        return points;
    }

    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var builder = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length && field.AsSpan(i + 1, 3).IndexOfAnyExcept("01234567") < 0)
            {
                builder.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                builder.Append(field[i]);
            }
        }

        return builder.ToString();
    }

    [LibraryImport("libc", EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Mount(string source, string target, string fileSystemType, ulong flags, string data);

    [LibraryImport("libc", EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Umount2(string target, int flags);
}
