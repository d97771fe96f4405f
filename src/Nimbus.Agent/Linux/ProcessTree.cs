using System.Globalization;

namespace Nimbus.Agent.Linux;

/// <summary>Signals to a process and everything it started, found through <c>/proc/PID/task/*/children</c>.</summary>
internal static class ProcessTree
{
    /// <summary>SIGKILL to <paramref name="pid"/> and its descendants, children first seen before the parent dies.</summary>
    public static void Kill(int pid)
    {
        var all = new List<int>();
        Collect(pid, all, depth: 0);
        foreach (var process in all)
        {
            Native.Signal(process, Native.SigKill);
        }
    }

    private static void Collect(int pid, List<int> into, int depth)
    {
        if (depth > 64 || into.Contains(pid))
        {
            return;
        }

        into.Add(pid);
        string[] tasks;
        try
        {
            tasks = Directory.GetDirectories($"/proc/{pid}/task");
        }
        catch (IOException)
        {
            return;
        }
        catch (UnauthorizedAccessException)
        {
            return;
        }

        foreach (var task in tasks)
        {
            string children;
            try
            {
                children = File.ReadAllText(Path.Combine(task, "children"));
            }
            catch (IOException)
            {
                continue;
            }

            foreach (var child in children.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (int.TryParse(child, NumberStyles.None, CultureInfo.InvariantCulture, out var childPid))
                {
                    Collect(childPid, into, depth + 1);
                }
            }
        }
    }
}
