namespace Nimbus.Store;

/// <summary>Raises a store's <c>Committed</c> event on a pool thread, so a slow or failing handler never stalls or breaks a writer.</summary>
internal static class CommitNotifier
{
    public static void Raise(Action? handlers)
    {
        if (handlers is null)
        {
            return;
        }

        ThreadPool.UnsafeQueueUserWorkItem(static state =>
        {
            foreach (var handler in ((Action)state!).GetInvocationList())
            {
                try
                {
                    ((Action)handler).Invoke();
                }
                catch (Exception)
                {
                    // A subscriber's fault must not take the process down from a pool thread, nor
                    // keep the other subscribers from hearing about the commit; feed readers also
                    // poll, so a missed wake-up only delays them.
                }
            }
        }, handlers);
    }
}
