namespace Nimbus.Iam.Authorization;

/// <summary>
/// A generation number bumped after every committed IAM change that can alter a decision
/// (attachments, memberships, policy versions, user deletion). Compiled policy sets are cached
/// per principal and dropped when the generation moves. In-process: with several control-plane
/// replicas, another replica's changes are seen when its cache entry expires.
/// </summary>
public sealed class IamChangeTracker
{
    private long _generation;

    public long Generation => Volatile.Read(ref _generation);

    public void Bump() => Interlocked.Increment(ref _generation);
}
