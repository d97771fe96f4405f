namespace Nimbus.Core.Store;

/// <summary>What happened to a resource.</summary>
public enum ChangeType
{
    Created = 1,
    Updated = 2,
    StatusUpdated = 3,
    Deleted = 4,
}

/// <summary>
/// One entry of the change feed. Sequences are strictly increasing in commit order, so a
/// reader that remembers the last sequence it handled misses nothing.
/// </summary>
public sealed record ChangeEvent(long Sequence, string ResourceId, string Kind, string Account, ChangeType Type, long Version, DateTimeOffset At);
