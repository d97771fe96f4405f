namespace Nimbus.Compute.Networking.SecurityGroups;

/// <summary>
/// Which instances of an account are in which groups (key/value <c>network.security-group-members</c>, keyed by
/// account). It is changed under its key's lock in the unit of work that runs, re-groups or terminates an instance,
/// and read under the same lock when a group is deleted, so a group in use is never deleted and a deleted group is
/// never joined. The same lock serializes every security group write of the account.
/// </summary>
public sealed record SecurityGroupMembers
{
    /// <summary>Instance id → its groups, in the order given.</summary>
    public Dictionary<string, List<string>> Instances { get; init; } = new(StringComparer.Ordinal);
}
