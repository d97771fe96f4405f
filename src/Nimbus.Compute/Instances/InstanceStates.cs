namespace Nimbus.Compute.Instances;

/// <summary>Phases of an instance and its desired states.</summary>
public static class InstanceStates
{
    public const string Pending = "pending";
    public const string Running = "running";
    public const string Stopping = "stopping";
    public const string Stopped = "stopped";
    public const string Terminated = "terminated";
    public const string Failed = "failed";

    public const string RestartOnFailure = "on-failure";
    public const string RestartAlways = "always";
    public const string RestartNever = "never";

    public static readonly string[] RestartPolicies = [RestartOnFailure, RestartAlways, RestartNever];
}
