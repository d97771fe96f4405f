namespace Nimbus.Compute;

/// <summary>How the compute service runs on this installation.</summary>
public sealed record ComputeOptions
{
    /// <summary>Directory of compute state on the node: images, instance disks, console logs; required.</summary>
    public required string Directory { get; init; }

    /// <summary>Region instances live in; <c>local</c> by default.</summary>
    public string Region { get; init; } = "local";

    /// <summary>
    /// vCPUs the scheduler may place per host CPU. Idle instances use little CPU, so a node sells more vCPUs than it
    /// has (each instance still cannot use more than its own quota); 4 by default.
    /// </summary>
    public double CpuOvercommitRatio { get; init; } = 4.0;

    /// <summary>Memory the scheduler may place per MiB of host memory; 1 by default (limits are hard, swap is off).</summary>
    public double MemoryOvercommitRatio { get; init; } = 1.0;

    /// <summary>Time between SIGTERM and SIGKILL when an instance stops; 10 seconds by default.</summary>
    public TimeSpan StopGracePeriod { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a terminated instance stays listed (phase <c>terminated</c>) before it is removed; 1 hour by default.</summary>
    public TimeSpan TerminatedRetention { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How often the controller looks at a running instance (died, OOM kills); 2 seconds by default.</summary>
    public TimeSpan RunningPollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Time between two garbage checks of the node (leaked containers, mounts, cgroups, directories); 10 minutes by default.</summary>
    public TimeSpan GarbageCheckInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>State directory of runc (<c>runc --root</c>); on tmpfs so that a host reboot starts clean.</summary>
    public string RuncRoot { get; init; } = "/run/nimbus/runc";

    /// <summary>
    /// Most bytes of console log kept per instance file: when the log reaches it, it becomes the one previous file
    /// and a new one starts, so an instance keeps at most twice this on disk; 1 MiB by default, 0 for no cap.
    /// </summary>
    public long ConsoleLogMaxBytes { get; init; } = 1024 * 1024;

    /// <summary>Instances reconciled (started, stopped) at once; 32 by default: a reconcile mostly waits on runc.</summary>
    public int ReconcileWorkers { get; init; } = 32;

    /// <summary>Most exec sessions open at once per instance (<c>LimitExceeded</c> past it); 8 by default.</summary>
    public int MaxExecSessionsPerInstance { get; init; } = 8;

    /// <summary>Largest image archive an import accepts, in bytes; 4 GiB by default.</summary>
    public long MaxImageUploadBytes { get; init; } = 4L * 1024 * 1024 * 1024;

    /// <summary>Largest total of file content an image may unpack to, in bytes (guards against decompression bombs); 16 GiB by default.</summary>
    public long MaxImageBytes { get; init; } = 16L * 1024 * 1024 * 1024;

    /// <summary>Most files, directories and links an image may hold; 2,000,000 by default.</summary>
    public long MaxImageEntries { get; init; } = 2_000_000;

    /// <summary>Debian mirror <c>image build debian-12</c> downloads from; <c>http://deb.debian.org/debian</c> by default.</summary>
    public string DebianMirror { get; init; } = "http://deb.debian.org/debian";

    /// <summary>Parent of every instance's cgroup in each hierarchy, e.g. <c>/sys/fs/cgroup/memory/nimbus/i-...</c>.</summary>
    public string CgroupParent { get; init; } = "/nimbus";

    /// <summary>
    /// Private range of the default network, e.g. <c>10.213.0.0/16</c> (the default, chosen to stay clear of the
    /// usual home, office and container ranges). The first address is the gateway on the bridge. Fixed once the network
    /// exists in the store: a later change is ignored (with a warning) while instances hold addresses of the old range.
    /// </summary>
    public string NetworkCidr { get; init; } = "10.213.0.0/16";

    /// <summary>Name of the default network's Linux bridge (at most 15 characters); <c>nimbus0</c> by default.</summary>
    public string BridgeName { get; init; } = "nimbus0";

    /// <summary>Name of Nimbus's nftables tables (<c>inet</c> and <c>bridge</c> families); <c>nimbus</c> by default. Nothing else is touched.</summary>
    public string NftTable { get; init; } = "nimbus";

    /// <summary>
    /// Host-side range elastic IPs are allocated from, its network and broadcast addresses left out; <c>127.100.0.0/24</c>
    /// by default: loopback addresses, which reach instances from this host only and keep tests local. A range routed
    /// to this host (on <see cref="ElasticIpDevice"/>) makes them reachable from other machines.
    /// </summary>
    public string ElasticIpPool { get; init; } = "127.100.0.0/24";

    /// <summary>Host interface the allocated elastic IPs are added to (as /32s); <c>lo</c> by default.</summary>
    public string ElasticIpDevice { get; init; } = "lo";

    /// <summary>Host port of the instance metadata service on the gateway address (169.254.169.254:80 is redirected there); 0 picks a free one.</summary>
    public int MetadataPort { get; init; }

    /// <summary>Instance-profile credentials are replaced when they are this close to expiry; 5 minutes by default.</summary>
    public TimeSpan CredentialRefreshBefore { get; init; } = TimeSpan.FromMinutes(5);
}
