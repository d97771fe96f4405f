using Nimbus.Core.Store;

namespace Nimbus.Store.Sqlite;

/// <summary>A queued unit of work, its result type erased so that one channel carries them all.</summary>
internal abstract class WriteRequest
{
    protected WriteRequest(CancellationToken cancellationToken)
    {
        CancellationToken = cancellationToken;
    }

    public CancellationToken CancellationToken { get; }

    /// <summary>Runs the unit; its result is kept until the batch commits.</summary>
    public abstract Task RunAsync(IStoreWriter writer);

    /// <summary>The batch committed: hand the result to the caller.</summary>
    public abstract void Complete();

    public abstract void Fail(Exception exception);

    /// <summary>The caller's token was cancelled before the unit ran; it did not run.</summary>
    public abstract void Cancel();
}
