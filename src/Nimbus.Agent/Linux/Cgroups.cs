namespace Nimbus.Agent.Linux;

/// <summary>
/// The cgroups runc makes for an instance (<c>cgroupsPath</c> <c>&lt;parent&gt;/&lt;id&gt;</c>), on the v1 hierarchies
/// (<c>/sys/fs/cgroup/&lt;controller&gt;/...</c>, Debian 12's hybrid layout) or the unified v2 one.
/// </summary>
internal sealed class Cgroups(string root, string parent)
{
    public static Cgroups Default(string parent) => new("/sys/fs/cgroup", parent);

    public bool IsV1 => Directory.Exists(Path.Combine(root, "memory"));

    /// <summary>The instance's directory in one controller's hierarchy (v1) or in the unified one (v2, <paramref name="controller"/> ignored).</summary>
    public string PathOf(string controller, string instanceId) =>
        IsV1 ? Path.Combine(root, controller, parent.TrimStart('/'), instanceId) : Path.Combine(root, parent.TrimStart('/'), instanceId);

    /// <summary>Every directory that holds the instance's cgroup in some hierarchy.</summary>
    public IEnumerable<string> AllPathsOf(string instanceId)
    {
        if (!Directory.Exists(root))
        {
            yield break;
        }

        foreach (var hierarchy in Directory.EnumerateDirectories(root))
        {
            var path = Path.Combine(hierarchy, parent.TrimStart('/'), instanceId);
            if (Directory.Exists(path))
            {
                yield return path;
            }
        }

        var unified = Path.Combine(root, parent.TrimStart('/'), instanceId);
        if (Directory.Exists(unified))
        {
            yield return unified;
        }
    }

    /// <summary>Processes killed by the OOM killer in the instance's memory cgroup (0 when it has none).</summary>
    public long OomKills(string instanceId)
    {
        var (file, key) = IsV1 ? ("memory.oom_control", "oom_kill") : ("memory.events", "oom_kill");
        var path = Path.Combine(PathOf("memory", instanceId), file);
        try
        {
            foreach (var line in File.ReadLines(path))
            {
                var space = line.IndexOf(' ', StringComparison.Ordinal);
                if (space > 0 && line.AsSpan(0, space).SequenceEqual(key) && long.TryParse(line.AsSpan(space + 1), out var value))
                {
                    return value;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return 0;
    }

    /// <summary>Removes what is left of the instance's cgroups (runc delete normally removes them; empty cgroups rmdir).</summary>
    public void Remove(string instanceId)
    {
        foreach (var path in AllPathsOf(instanceId).ToList())
        {
            try
            {
                Directory.Delete(path);
            }
            catch (IOException)
            {
                // Still has processes; the next cleanup retries.
            }
        }
    }
}
