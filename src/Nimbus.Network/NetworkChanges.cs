namespace Nimbus.Network;

/// <summary>
/// Tells the node's data path that routing changed (a peering accepted or deleted, a route or association changed):
/// the compute side, which owns the ruleset, subscribes and rebuilds it from the store before the call returns.
/// </summary>
public sealed class NetworkChanges
{
    private readonly List<Func<CancellationToken, Task>> _subscribers = [];

    public void Subscribe(Func<CancellationToken, Task> apply)
    {
        lock (_subscribers)
        {
            _subscribers.Add(apply);
        }
    }

    public async Task NotifyAsync(CancellationToken cancellationToken)
    {
        Func<CancellationToken, Task>[] subscribers;
        lock (_subscribers)
        {
            subscribers = [.. _subscribers];
        }

        foreach (var apply in subscribers)
        {
            await apply(cancellationToken).ConfigureAwait(false);
        }
    }
}
