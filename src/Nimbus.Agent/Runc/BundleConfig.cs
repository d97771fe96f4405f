using System.Text;
using System.Text.Json;
using Nimbus.Compute.Node;

namespace Nimbus.Agent.Runc;

/// <summary>
/// Writes the OCI runtime configuration (<c>config.json</c>, runtime-spec 1.0) of an instance: its own PID, mount, UTS,
/// IPC and network namespaces, cgroup limits from the instance type (CPU quota, memory hard limit with swap
/// disabled, pids), the default capability set of container engines, and the <c>/.nimbus</c> directory that holds the
/// init and the user data.
/// </summary>
internal static class BundleConfig
{
    public const string GuestDirectory = "/.nimbus";
    public const string GuestInit = GuestDirectory + "/init";
    public const string GuestUserData = GuestDirectory + "/user-data";
    public const string GuestStatus = GuestDirectory + "/exit-status";
    private const long CpuPeriodMicroseconds = 100_000;

    // The set Docker and Podman grant by default: enough for a userland (chown, bind below 1024, ping), not enough
    // to reach the host (no SYS_ADMIN, NET_ADMIN, SYS_MODULE ...).
    private static readonly string[] Capabilities =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID",
        "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ];

    private static readonly string[] MaskedPaths =
    [
        "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
        "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
    ];

    private static readonly string[] ReadonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

    /// <summary>CAP_SYS_RESOURCE: needed to lower an OOM score (sandboxes without it cannot protect the init).</summary>
    private const int CapSysResource = 24;

    private static readonly bool CanProtectInit = Linux.HostInfo.HasCapability(CapSysResource);

    public static byte[] Create(InstanceLaunch launch, string rootfs, string metaDirectory, string cgroupsPath)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("ociVersion", "1.0.2");
            WriteProcess(json, launch);
            json.WriteStartObject("root");
            json.WriteString("path", rootfs);
            json.WriteBoolean("readonly", false);
            json.WriteEndObject();
            json.WriteString("hostname", launch.Hostname);
            WriteMounts(json, metaDirectory);
            WriteLinux(json, launch, cgroupsPath);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteProcess(Utf8JsonWriter json, InstanceLaunch launch)
    {
        json.WriteStartObject("process");
        json.WriteBoolean("terminal", false);
        json.WriteStartObject("user");
        json.WriteNumber("uid", 0);
        json.WriteNumber("gid", 0);
        json.WriteEndObject();
        json.WriteStartArray("args");
        json.WriteStringValue(GuestInit);
        json.WriteStringValue("-s");
        json.WriteStringValue(GuestStatus);
        if (launch.UserData is not null)
        {
            json.WriteStringValue("-u");
            json.WriteStringValue(GuestUserData);
        }

        if (launch.Network.WaitForCarrier)
        {
            json.WriteStringValue("-n");
            json.WriteStringValue("eth0");
        }

        json.WriteStringValue("--");
        foreach (var argument in launch.Command)
        {
            json.WriteStringValue(argument);
        }

        json.WriteEndArray();
        json.WriteStartArray("env");
        foreach (var entry in launch.Environment)
        {
            json.WriteStringValue(entry);
        }

        if (!launch.Environment.Any(e => e.StartsWith("PATH=", StringComparison.Ordinal)))
        {
            json.WriteStringValue("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        }

        json.WriteStringValue("HOSTNAME=" + launch.Hostname);
        json.WriteEndArray();
        json.WriteString("cwd", launch.WorkingDirectory ?? "/");
        json.WriteStartObject("capabilities");
        foreach (var set in new[] { "bounding", "effective", "permitted" })
        {
            json.WriteStartArray(set);
            foreach (var capability in Capabilities)
            {
                json.WriteStringValue(capability);
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();

        // No rlimits: the instance inherits the node's (raising a hard limit needs CAP_SYS_RESOURCE, which sandboxes lack).
        json.WriteBoolean("noNewPrivileges", false);

        // The init leaves the OOM killer's choice to the workload: it resets its children to 0 (see nimbus-init.c).
        // Lowering a score needs CAP_SYS_RESOURCE; without it the init competes as any process (its RSS is tiny).
        if (CanProtectInit)
        {
            json.WriteNumber("oomScoreAdj", -999);
        }
        json.WriteEndObject();
    }

    private static void WriteMounts(Utf8JsonWriter json, string metaDirectory)
    {
        json.WriteStartArray("mounts");
        Mount(json, "/proc", "proc", "proc", []);
        Mount(json, "/dev", "tmpfs", "tmpfs", ["nosuid", "strictatime", "mode=755", "size=65536k"]);
        Mount(json, "/dev/pts", "devpts", "devpts", ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]);
        Mount(json, "/dev/shm", "tmpfs", "shm", ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]);
        Mount(json, "/dev/mqueue", "mqueue", "mqueue", ["nosuid", "noexec", "nodev"]);
        Mount(json, "/sys", "sysfs", "sysfs", ["nosuid", "noexec", "nodev", "ro"]);
        Mount(json, "/sys/fs/cgroup", "cgroup", "cgroup", ["nosuid", "noexec", "nodev", "relatime", "ro"]);
        Mount(json, GuestDirectory, "bind", metaDirectory, ["rbind", "rw", "nosuid", "nodev"]);
        json.WriteEndArray();
    }

    private static void Mount(Utf8JsonWriter json, string destination, string type, string source, string[] options)
    {
        json.WriteStartObject();
        json.WriteString("destination", destination);
        json.WriteString("type", type);
        json.WriteString("source", source);
        json.WriteStartArray("options");
        foreach (var option in options)
        {
            json.WriteStringValue(option);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteLinux(Utf8JsonWriter json, InstanceLaunch launch, string cgroupsPath)
    {
        json.WriteStartObject("linux");
        json.WriteString("cgroupsPath", cgroupsPath);
        json.WriteStartObject("resources");
        json.WriteStartArray("devices");
        json.WriteStartObject();
        json.WriteBoolean("allow", false);
        json.WriteString("access", "rwm");
        json.WriteEndObject();
        json.WriteEndArray();
        var memory = (long)launch.MemoryMiB * 1024 * 1024;
        json.WriteStartObject("memory");
        json.WriteNumber("limit", memory);

        // memory+swap equal to memory: the instance gets no swap at all.
        json.WriteNumber("swap", memory);
        json.WriteNumber("swappiness", 0);
        json.WriteEndObject();
        json.WriteStartObject("cpu");
        json.WriteNumber("quota", launch.VCpus * CpuPeriodMicroseconds);
        json.WriteNumber("period", CpuPeriodMicroseconds);
        json.WriteEndObject();
        json.WriteStartObject("pids");
        json.WriteNumber("limit", launch.PidsLimit);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteStartArray("namespaces");
        foreach (var type in new[] { "pid", "ipc", "uts", "mount" })
        {
            json.WriteStartObject();
            json.WriteString("type", type);
            json.WriteEndObject();
        }

        // The network seam: a fresh namespace (loopback only) until the networking service prepares one to join.
        json.WriteStartObject();
        json.WriteString("type", "network");
        if (launch.Network.NamespacePath is { } path)
        {
            json.WriteString("path", path);
        }

        json.WriteEndObject();
        json.WriteEndArray();
        WriteStrings(json, "maskedPaths", MaskedPaths);
        WriteStrings(json, "readonlyPaths", ReadonlyPaths);
        json.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    /// <summary>The user data as the init runs it: UTF-8, unchanged.</summary>
    public static byte[] UserDataBytes(string userData) => Encoding.UTF8.GetBytes(userData);
}
