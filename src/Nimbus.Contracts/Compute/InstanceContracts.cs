namespace Nimbus.Contracts.Compute;

/// <summary>Body of <c>POST /v1/compute/instances</c>: runs one or several instances.</summary>
public sealed record RunInstancesRequest
{
    /// <summary>Required. Image id (<c>img-...</c>) or name (e.g. <c>busybox</c>).</summary>
    public string? Image { get; init; }

    /// <summary>Required. Instance type name, e.g. <c>n1.micro</c> (see <c>GET /v1/compute/instance-types</c>).</summary>
    public string? InstanceType { get; init; }

    /// <summary>
    /// Optional. Name (letters, digits, '.', '_', '-'; unique among the account's instances). With <see cref="Count"/> above 1
    /// the instances are named <c>&lt;name&gt;-1</c> ... <c>&lt;name&gt;-N</c>. Default: the instance id.
    /// </summary>
    public string? Name { get; init; }

    /// <summary>Optional. Host name inside the instance (an RFC 1123 label, at most 63 characters). Default: the name when it is a valid label, else the id.</summary>
    public string? Hostname { get; init; }

    /// <summary>Optional tags (at most 50).</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }

    /// <summary>Optional. A script run once, at the first boot; its output goes to the console. At most 16 KiB (UTF-8). Without <c>#!</c> it runs with <c>/bin/sh</c>.</summary>
    public string? UserData { get; init; }

    /// <summary>Optional. How many instances to run, 1 to 50; default 1. All or none are created.</summary>
    public int? Count { get; init; }

    /// <summary>Optional. When true, terminate is refused until it is turned off; default false.</summary>
    public bool? DeletionProtection { get; init; }

    /// <summary>Optional. Environment variables of the instance's processes (names: letters, digits, '_'; not starting with a digit).</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>Optional. The workload (argv) instead of the image's default command, e.g. <c>["httpd", "-f", "-p", "80"]</c>; at most 64 arguments.</summary>
    public IReadOnlyList<string>? Command { get; init; }

    /// <summary>Optional. What happens when the workload stops on its own: <c>on-failure</c> (default: restart after a non-zero exit or a kill), <c>always</c> or <c>never</c>.</summary>
    public string? RestartPolicy { get; init; }

    /// <summary>
    /// Optional. IAM role (name in your account, or its NRN) whose temporary credentials the instance metadata service
    /// hands to the instance (an instance profile). The caller needs <c>iam:PassRole</c> on the role, and the role's
    /// trust policy must allow the service principal <c>compute.nimbus</c>.
    /// </summary>
    public string? IamRole { get; init; }

    /// <summary>
    /// Optional. <c>optional</c> (default: the metadata service answers plain GETs, IMDSv1, and session tokens, IMDSv2) or
    /// <c>required</c> (only requests with a token from <c>PUT /latest/api/token</c>).
    /// </summary>
    public string? MetadataTokens { get; init; }

    /// <summary>Optional. 1 to 5 security groups (<c>sg-...</c>) of the network for the instance's interface (their rules' union). Default: the account's default group.</summary>
    public IReadOnlyList<string>? SecurityGroupIds { get; init; }

    /// <summary>
    /// Optional. Subnet (<c>subnet-...</c>) of the instance's primary interface. Default: the default subnet of the
    /// account's default VPC (made on first use).
    /// </summary>
    public string? SubnetId { get; init; }

    /// <summary>Optional. Private IPv4 address of the primary interface, a free usable address of the subnet; only with a count of 1. Default: the subnet's next free address.</summary>
    public string? PrivateIpAddress { get; init; }
}

/// <summary>The <c>spec</c> of an instance resource (kind <c>compute/instance</c>): what the user asked for.</summary>
public sealed record InstanceSpec
{
    /// <summary>Image id (<c>img-...</c>).</summary>
    public required string ImageId { get; init; }

    /// <summary>Instance type name.</summary>
    public required string InstanceType { get; init; }

    /// <summary>vCPUs of the type when it was chosen; quotas and node capacity count these.</summary>
    public int VCpus { get; init; }

    /// <summary>Memory in MiB of the type when it was chosen.</summary>
    public int MemoryMiB { get; init; }

    /// <summary>Process limit of the type when it was chosen.</summary>
    public int PidsLimit { get; init; }

    /// <summary>Host name inside the instance.</summary>
    public required string Hostname { get; init; }

    /// <summary>The user data script, or null.</summary>
    public string? UserData { get; init; }

    /// <summary>Environment variables of the instance's processes.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The workload (argv); null runs the image's default command.</summary>
    public IReadOnlyList<string>? Command { get; init; }

    /// <summary>When true, terminate is refused.</summary>
    public bool DeletionProtection { get; init; }

    /// <summary><c>on-failure</c>, <c>always</c> or <c>never</c>.</summary>
    public string RestartPolicy { get; init; } = "on-failure";

    /// <summary>Desired state: <c>running</c>, <c>stopped</c> or <c>terminated</c>.</summary>
    public string DesiredState { get; init; } = "running";

    /// <summary>For a stop: true sends SIGKILL at once instead of SIGTERM and a grace period.</summary>
    public bool ForceStop { get; init; }

    /// <summary>Grows with every reboot request; the controller reboots while the instance's applied count is lower.</summary>
    public int RebootCount { get; init; }

    /// <summary>The node the scheduler placed the instance on.</summary>
    public required string Node { get; init; }

    /// <summary>The instance's primary network interface: its network, private IP and MAC address, allocated at run; null for instances run before networking.</summary>
    public InstanceInterfaceSpec? NetworkInterface { get; init; }

    /// <summary>Id of the IAM role of the instance profile, or null.</summary>
    public string? IamRoleId { get; init; }

    /// <summary>Name of the IAM role of the instance profile, or null.</summary>
    public string? IamRoleName { get; init; }

    /// <summary><c>optional</c> or <c>required</c>: whether the metadata service insists on IMDSv2 session tokens.</summary>
    public string MetadataTokens { get; init; } = "optional";

    /// <summary>The security groups of the instance's interface (empty only for instances run before security groups existed: the default group applies).</summary>
    public IReadOnlyList<string> SecurityGroupIds { get; init; } = [];
}

/// <summary>An instance's primary network interface: in a VPC subnet, or on the compute service's legacy default network.</summary>
public sealed record InstanceInterfaceSpec
{
    /// <summary>Interface id (<c>eni-...</c>).</summary>
    public required string InterfaceId { get; init; }

    /// <summary>Network the interface is on: the VPC (<c>vpc-...</c>), or <c>default</c> for the compute service's legacy network.</summary>
    public required string NetworkId { get; init; }

    /// <summary>Subnet (<c>subnet-...</c>) whose IPAM holds the address; null on the legacy network.</summary>
    public string? SubnetId { get; init; }

    /// <summary>Private IPv4 address, kept from run to terminate.</summary>
    public required string PrivateIpAddress { get; init; }

    /// <summary>Prefix length of the network, e.g. 16.</summary>
    public required int PrefixLength { get; init; }

    /// <summary>Gateway address (the bridge's own), the instance's default route.</summary>
    public required string Gateway { get; init; }

    /// <summary>MAC address of the interface inside the instance (<c>eth0</c>).</summary>
    public required string MacAddress { get; init; }
}

/// <summary>Body of <c>POST /v1/compute/instances/{id}/modify</c>: attributes that change in place.</summary>
public sealed record ModifyInstanceRequest
{
    /// <summary>Optional. New instance type; only while the instance is <c>stopped</c> (<c>IncorrectInstanceState</c> otherwise).</summary>
    public string? InstanceType { get; init; }

    /// <summary>Optional. Turns deletion protection on or off (any state).</summary>
    public bool? DeletionProtection { get; init; }
}

/// <summary>Answer of <c>POST /v1/compute/instances</c>: the instances created, in phase <c>pending</c>.</summary>
public sealed record RunInstancesResponse
{
    /// <summary>One resource per instance, in order.</summary>
    public required IReadOnlyList<Nimbus.Contracts.Resources.ResourceDto> Instances { get; init; }

    /// <summary>What the caller should know but did not stop the run, e.g. that the image is deprecated; null when none.</summary>
    public IReadOnlyList<string>? Warnings { get; init; }
}

/// <summary>The <c>status.details</c> of an instance: what the controller observed.</summary>
public sealed record InstanceDetailsDto
{
    /// <summary>Node the instance runs on.</summary>
    public string? Node { get; init; }

    /// <summary>Instance type the running container was started with.</summary>
    public string? AppliedInstanceType { get; init; }

    /// <summary>Host PID of the instance's init (PID 1 inside) while it runs.</summary>
    public int? Pid { get; init; }

    /// <summary>When the workload last started (UTC).</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When the workload last stopped (UTC).</summary>
    public DateTimeOffset? StoppedAt { get; init; }

    /// <summary>When a stop began (SIGTERM sent); null when none is in progress.</summary>
    public DateTimeOffset? StoppingSince { get; init; }

    /// <summary>How the workload last ended on its own: e.g. <c>exited with code 1</c>, <c>killed by signal 9</c>, <c>OOMKilled</c>.</summary>
    public string? LastExit { get; init; }

    /// <summary>Restarts made by the restart policy.</summary>
    public int RestartCount { get; init; }

    /// <summary>Reboots done; equals the spec's <c>rebootCount</c> once the last reboot finished.</summary>
    public int RebootCount { get; init; }

    /// <summary>Processes the kernel's OOM killer killed inside the instance since it last started.</summary>
    public long OomKills { get; init; }

    /// <summary>True once the user data has been handed to a boot (it runs only at the first boot).</summary>
    public bool UserDataRan { get; init; }

    /// <summary>When the instance was terminated (UTC); it stays listed for a while after.</summary>
    public DateTimeOffset? TerminatedAt { get; init; }

    /// <summary>Private IPv4 address of the primary interface (<c>eth0</c>); null when it has none.</summary>
    public string? PrivateIpAddress { get; init; }

    /// <summary>Host name inside the instance.</summary>
    public string? Hostname { get; init; }

    /// <summary>IAM role of the instance profile, or null.</summary>
    public string? IamRole { get; init; }
}

/// <summary>Answer of <c>GET /v1/compute/instances/{id}/console</c>: a piece of the captured console output.</summary>
public sealed record ConsoleOutputDto
{
    /// <summary>Instance id.</summary>
    public required string InstanceId { get; init; }

    /// <summary>Byte offset of <see cref="Output"/> in the console log.</summary>
    public long Offset { get; init; }

    /// <summary>Offset to ask for next to continue (follow) the output.</summary>
    public long NextOffset { get; init; }

    /// <summary>Bytes in the console log now.</summary>
    public long Size { get; init; }

    /// <summary>The output, UTF-8 decoded (invalid sequences replaced).</summary>
    public required string Output { get; init; }
}

/// <summary>Answer of <c>GET /v1/compute/instances/{id}/stats</c>: counters of a running instance, read from its cgroups and network namespace.</summary>
public sealed record InstanceStatsDto
{
    /// <summary>Instance id.</summary>
    public required string InstanceId { get; init; }

    /// <summary>When the counters were read (UTC).</summary>
    public DateTimeOffset At { get; init; }

    /// <summary>CPU time used since the instance started, in nanoseconds.</summary>
    public long CpuUsageNanoseconds { get; init; }

    /// <summary>CFS periods in which the instance hit its vCPU quota.</summary>
    public long CpuThrottledPeriods { get; init; }

    /// <summary>Time the instance waited because of its quota, in nanoseconds.</summary>
    public long CpuThrottledNanoseconds { get; init; }

    /// <summary>Memory in use now (page cache included), in bytes.</summary>
    public long MemoryBytes { get; init; }

    /// <summary>Highest memory use since the instance started, in bytes.</summary>
    public long MemoryPeakBytes { get; init; }

    /// <summary>The hard memory limit, in bytes.</summary>
    public long MemoryLimitBytes { get; init; }

    /// <summary>Processes killed by the OOM killer since the instance started.</summary>
    public long OomKills { get; init; }

    /// <summary>Processes and threads now.</summary>
    public long Pids { get; init; }

    /// <summary>The process limit.</summary>
    public long PidsLimit { get; init; }

    /// <summary>Bytes read from block devices.</summary>
    public long BlockReadBytes { get; init; }

    /// <summary>Bytes written to block devices.</summary>
    public long BlockWriteBytes { get; init; }

    /// <summary>Counters of each network interface of the instance.</summary>
    public IReadOnlyList<InterfaceStatsDto> Network { get; init; } = [];
}

/// <summary>Counters of one network interface of an instance.</summary>
public sealed record InterfaceStatsDto
{
    /// <summary>Interface name inside the instance, e.g. <c>lo</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Bytes received.</summary>
    public long RxBytes { get; init; }

    /// <summary>Packets received.</summary>
    public long RxPackets { get; init; }

    /// <summary>Bytes sent.</summary>
    public long TxBytes { get; init; }

    /// <summary>Packets sent.</summary>
    public long TxPackets { get; init; }
}

/// <summary>What the compute garbage check found on the node (<c>/v1/compute/garbage</c>): things no instance or image owns.</summary>
public sealed record GarbageReportDto
{
    /// <summary>When the check ran (UTC); null before the first check.</summary>
    public DateTimeOffset? At { get; init; }

    /// <summary>Every leak found; empty when the node is clean.</summary>
    public IReadOnlyList<GarbageLeakDto> Leaks { get; init; } = [];
}

/// <summary>One thing left on the node that nothing owns.</summary>
public sealed record GarbageLeakDto
{
    /// <summary><c>container</c>, <c>mount</c>, <c>cgroup</c>, <c>instance-directory</c>, <c>image-directory</c>, <c>veth</c>, <c>netns</c> or <c>nft-rule</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The instance or image id it belongs to.</summary>
    public required string Id { get; init; }

    /// <summary>Where it is: a path, or the runc container id.</summary>
    public required string Location { get; init; }
}
