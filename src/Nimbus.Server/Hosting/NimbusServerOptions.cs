namespace Nimbus.Server.Hosting;

/// <summary>
/// Everything `nimbus up` can be told. Precedence: command-line flags, then <c>NIMBUS_*</c>
/// environment variables, then <c>&lt;data-dir&gt;/nimbus.json</c>, then these defaults.
/// </summary>
public sealed record NimbusServerOptions
{
    /// <summary>Data directory; default <c>./.nimbus</c>.</summary>
    public string DataDirectory { get; init; } = ".nimbus";

    /// <summary>API port; default 7070; 0 picks a free port (tests).</summary>
    public int ApiPort { get; init; } = 7070;

    /// <summary>S3 protocol port (object storage); default 9000; 0 picks a free port (tests).</summary>
    public int S3Port { get; init; } = 9000;

    /// <summary>
    /// Domain of virtual-host style S3 addressing: <c>&lt;bucket&gt;.&lt;domain&gt;</c> names a bucket; default
    /// <c>s3.localhost</c> (<c>&lt;bucket&gt;.localhost</c> works too).
    /// </summary>
    public string S3Domain { get; init; } = "s3.localhost";

    /// <summary>
    /// How long a CompleteMultipartUpload works before its 200 starts and whitespace keeps the connection alive;
    /// default 2 seconds, zero starts at once (tests).
    /// </summary>
    public TimeSpan S3CompleteKeepAliveAfter { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Time between two background scrubs of every object; default 24 hours, zero turns them off (tests shorten it).</summary>
    public TimeSpan S3ScrubInterval { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Time between two background passes of the buckets' lifecycle rules; default 1 hour, zero turns them off (tests shorten it).</summary>
    public TimeSpan S3LifecycleInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Address to listen on; default 127.0.0.1.</summary>
    public string Listen { get; init; } = "127.0.0.1";

    /// <summary>Region name; default <c>local</c>.</summary>
    public string Region { get; init; } = "local";

    /// <summary>Store: empty for SQLite in the data directory, or a PostgreSQL connection string (<c>Host=...</c>).</summary>
    public string Store { get; init; } = "";

    /// <summary>Largest accepted request body in bytes; default 1 MiB.</summary>
    public long MaxBodyBytes { get; init; } = 1024 * 1024;

    /// <summary>Sustained requests per second allowed per access key; default 2000.</summary>
    public int RateLimitPerSecond { get; init; } = 2000;

    /// <summary>Burst allowed per access key above the sustained rate; default 4000.</summary>
    public int RateLimitBurst { get; init; } = 4000;

    /// <summary>Days audit events are kept before retention removes them; default 365.</summary>
    public int AuditRetentionDays { get; init; } = 365;

    /// <summary><c>text</c> (default) or <c>json</c> log lines on stdout.</summary>
    public string LogFormat { get; init; } = "text";

    /// <summary>Minimum log level; default Information.</summary>
    public string LogLevel { get; init; } = "Information";

    /// <summary>vCPUs the compute scheduler places per host CPU; default 4 (each instance is still held to its own quota).</summary>
    public double ComputeCpuOvercommitRatio { get; init; } = 4.0;

    /// <summary>Time between SIGTERM and SIGKILL when an instance stops; default 10 seconds.</summary>
    public TimeSpan ComputeStopGracePeriod { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Bytes of console log kept per instance file before it rotates to the one previous file; default 1 MiB, 0 for no cap.</summary>
    public long ComputeConsoleLogMaxBytes { get; init; } = 1024 * 1024;

    /// <summary>How long a terminated instance stays listed; default 1 hour.</summary>
    public TimeSpan ComputeTerminatedRetention { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Debian mirror image builds (debootstrap) download from; default <c>http://deb.debian.org/debian</c>.</summary>
    public string ComputeDebianMirror { get; init; } = "http://deb.debian.org/debian";

    /// <summary>Largest image archive an import accepts, in bytes; default 4 GiB.</summary>
    public long ComputeMaxImageUploadBytes { get; init; } = 4L * 1024 * 1024 * 1024;

    /// <summary>runc's state directory (<c>runc --root</c>); default <c>/run/nimbus/runc</c>.</summary>
    public string RuncRoot { get; init; } = "/run/nimbus/runc";

    /// <summary>Private range of the compute default network; default <c>10.213.0.0/16</c> (gateway: its first address, on the bridge).</summary>
    public string NetworkCidr { get; init; } = "10.213.0.0/16";

    /// <summary>Linux bridge of the default network; default <c>nimbus0</c>. Its nftables tables are <c>nimbus</c> for the default bridge, <c>nimbus_&lt;bridge&gt;</c> otherwise.</summary>
    public string NetworkBridge { get; init; } = "nimbus0";

    /// <summary>Host-side range elastic IPs are allocated from (<c>--eip-pool</c>); default <c>127.100.0.0/24</c>, loopback addresses reachable from this host only.</summary>
    public string NetworkEipPool { get; init; } = "127.100.0.0/24";

    /// <summary>Host interface allocated elastic IPs are added to (<c>--eip-device</c>); default <c>lo</c>.</summary>
    public string NetworkEipDevice { get; init; } = "lo";

    /// <summary>Range the accounts' default VPCs are carved from; default <c>10.224.0.0/11</c>.</summary>
    public string NetworkDefaultVpcPool { get; init; } = "10.224.0.0/11";

    /// <summary>Prefix length of a default VPC; default 16.</summary>
    public int NetworkDefaultVpcPrefixLength { get; init; } = 16;

    /// <summary>Prefix length of a default VPC's default subnets (one per zone); default 20.</summary>
    public int NetworkDefaultSubnetPrefixLength { get; init; } = 20;

    /// <summary>Host port of the instance metadata service on the gateway address; default 0 (a free port; 169.254.169.254:80 is redirected to it).</summary>
    public int MetadataPort { get; init; }

    /// <summary>How long shutdown waits for in-flight requests.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(20);
}
