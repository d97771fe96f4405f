using System.Globalization;
using Nimbus.Contracts.Compute;

namespace Nimbus.Agent.Linux;

/// <summary>Reads an instance's counters: cgroup files (v1 per controller, or v2 unified) and /proc/&lt;init&gt;/net/dev (its network namespace).</summary>
internal static class CgroupStats
{
    public static InstanceStatsDto Read(Cgroups cgroups, string instanceId, int initPid, DateTimeOffset at)
    {
        var stats = cgroups.IsV1 ? ReadV1(cgroups, instanceId) : ReadV2(cgroups, instanceId);
        return stats with { InstanceId = instanceId, At = at, OomKills = cgroups.OomKills(instanceId), Network = Network(initPid) };
    }

    private static InstanceStatsDto ReadV1(Cgroups cgroups, string id)
    {
        var cpu = KeyValues(Path.Combine(cgroups.PathOf("cpu", id), "cpu.stat"));
        var (read, write) = BlkioV1(Path.Combine(cgroups.PathOf("blkio", id), "blkio.throttle.io_service_bytes"));
        return new InstanceStatsDto
        {
            InstanceId = id,
            CpuUsageNanoseconds = Number(Path.Combine(cgroups.PathOf("cpuacct", id), "cpuacct.usage")),
            CpuThrottledPeriods = cpu.GetValueOrDefault("nr_throttled"),
            CpuThrottledNanoseconds = cpu.GetValueOrDefault("throttled_time"),
            MemoryBytes = Number(Path.Combine(cgroups.PathOf("memory", id), "memory.usage_in_bytes")),
            MemoryPeakBytes = Number(Path.Combine(cgroups.PathOf("memory", id), "memory.max_usage_in_bytes")),
            MemoryLimitBytes = Number(Path.Combine(cgroups.PathOf("memory", id), "memory.limit_in_bytes")),
            Pids = Number(Path.Combine(cgroups.PathOf("pids", id), "pids.current")),
            PidsLimit = Number(Path.Combine(cgroups.PathOf("pids", id), "pids.max")),
            BlockReadBytes = read,
            BlockWriteBytes = write,
        };
    }

    private static InstanceStatsDto ReadV2(Cgroups cgroups, string id)
    {
        var directory = cgroups.PathOf("", id);
        var cpu = KeyValues(Path.Combine(directory, "cpu.stat"));
        long read = 0, write = 0;
        foreach (var line in Lines(Path.Combine(directory, "io.stat")))
        {
            foreach (var field in line.Split(' ').Skip(1))
            {
                var eq = field.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0 && long.TryParse(field.AsSpan(eq + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                {
                    read += field.StartsWith("rbytes=", StringComparison.Ordinal) ? value : 0;
                    write += field.StartsWith("wbytes=", StringComparison.Ordinal) ? value : 0;
                }
            }
        }

        return new InstanceStatsDto
        {
            InstanceId = id,
            CpuUsageNanoseconds = cpu.GetValueOrDefault("usage_usec") * 1000,
            CpuThrottledPeriods = cpu.GetValueOrDefault("nr_throttled"),
            CpuThrottledNanoseconds = cpu.GetValueOrDefault("throttled_usec") * 1000,
            MemoryBytes = Number(Path.Combine(directory, "memory.current")),
            MemoryPeakBytes = Number(Path.Combine(directory, "memory.peak")),
            MemoryLimitBytes = Number(Path.Combine(directory, "memory.max")),
            Pids = Number(Path.Combine(directory, "pids.current")),
            PidsLimit = Number(Path.Combine(directory, "pids.max")),
            BlockReadBytes = read,
            BlockWriteBytes = write,
        };
    }

    /// <summary>Interfaces as the instance's init sees them (its network namespace): name, then 16 counters.</summary>
    private static List<InterfaceStatsDto> Network(int initPid)
    {
        var interfaces = new List<InterfaceStatsDto>();
        foreach (var line in Lines($"/proc/{initPid}/net/dev").Skip(2))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var fields = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 10)
            {
                continue;
            }

            interfaces.Add(new InterfaceStatsDto
            {
                Name = line[..colon].Trim(),
                RxBytes = Parse(fields[0]),
                RxPackets = Parse(fields[1]),
                TxBytes = Parse(fields[8]),
                TxPackets = Parse(fields[9]),
            });
        }

        return interfaces;
    }

    private static (long Read, long Write) BlkioV1(string path)
    {
        long read = 0, write = 0;
        foreach (var line in Lines(path))
        {
            var fields = line.Split(' ');
            if (fields.Length == 3)
            {
                read += fields[1] == "Read" ? Parse(fields[2]) : 0;
                write += fields[1] == "Write" ? Parse(fields[2]) : 0;
            }
        }

        return (read, write);
    }

    private static Dictionary<string, long> KeyValues(string path)
    {
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in Lines(path))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space > 0)
            {
                values[line[..space]] = Parse(line[(space + 1)..]);
            }
        }

        return values;
    }

    /// <summary>A one-number file; "max" (no limit) reads as -1, a missing file as 0.</summary>
    private static long Number(string path)
    {
        var text = Lines(path).FirstOrDefault()?.Trim();
        return text == "max" ? -1 : text is null ? 0 : Parse(text);
    }

    private static long Parse(string text) =>
        long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : 0;

    private static IEnumerable<string> Lines(string path)
    {
        try
        {
            return File.ReadAllLines(path);
        }
        catch (IOException)
        {
            return [];
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }
    }
}
