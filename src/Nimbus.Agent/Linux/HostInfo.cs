using System.Globalization;

namespace Nimbus.Agent.Linux;

/// <summary>Size of this machine.</summary>
internal static class HostInfo
{
    /// <summary>Memory in MiB (MemTotal of /proc/meminfo).</summary>
    public static long MemoryMiB()
    {
        foreach (var line in File.ReadLines("/proc/meminfo"))
        {
            if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
            {
                var kib = long.Parse(line["MemTotal:".Length..].Replace("kB", "", StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture);
                return kib / 1024;
            }
        }

        throw new IOException("/proc/meminfo has no MemTotal line");
    }

    /// <summary>True when this process holds the capability numbered <paramref name="capability"/> (linux/capability.h) in its effective set.</summary>
    public static bool HasCapability(int capability)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("CapEff:", StringComparison.Ordinal))
            {
                var mask = ulong.Parse(line["CapEff:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                return (mask & (1UL << capability)) != 0;
            }
        }

        return false;
    }

    /// <summary>Start time of a process in clock ticks since boot (field 22 of /proc/&lt;pid&gt;/stat), or null when it is gone or a zombie.</summary>
    public static ulong? StartTimeOf(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // The command name (field 2) may hold spaces and parentheses: the fields after the last ')' are fixed.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        if (fields.Length < 20 || fields[0] == "Z" || fields[0] == "X")
        {
            return null;
        }

        return ulong.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var start) ? start : null;
    }
}
