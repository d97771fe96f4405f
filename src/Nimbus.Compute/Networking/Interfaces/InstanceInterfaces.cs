namespace Nimbus.Compute.Networking.Interfaces;

/// <summary>
/// The secondary interfaces of one instance (key/value <c>network.instance-interfaces</c>, keyed by instance id): device
/// index → interface id. Changed under its key's lock by attach and detach, so two concurrent attaches never take one
/// index, and read by the unit that terminates the instance (a unit of work cannot list resources).
/// </summary>
public sealed record InstanceInterfaces
{
    public const string Namespace = "network.instance-interfaces";

    /// <summary>Device index (1 and up, as text) → interface id.</summary>
    public Dictionary<string, string> Devices { get; init; } = new(StringComparer.Ordinal);
}
