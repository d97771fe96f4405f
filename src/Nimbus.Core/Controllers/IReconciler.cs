using Nimbus.Core.Resources;
using Nimbus.Core.Store;

namespace Nimbus.Core.Controllers;

/// <summary>
/// Drives the world towards one kind's desired state. Implementations are idempotent:
/// they may be called any number of times for the same resource version, after a crash,
/// or for a resource whose world state is already right.
/// </summary>
public interface IReconciler
{
    /// <summary>The kind this reconciler owns, e.g. <c>demo/widget</c>.</summary>
    string Kind { get; }

    /// <summary>
    /// How many resources of this kind reconcile at once; null (default) for the runtime's 4. A kind whose reconciles
    /// mostly wait on outside processes (starting containers) takes more, so that a burst of creates does not queue.
    /// </summary>
    int? Workers => null;

    /// <summary>
    /// Brings the world in line with <paramref name="resource"/> and returns the status to
    /// record. Throwing means "retry later with backoff"; the message goes to status.
    /// </summary>
    Task<ReconcileResult> ReconcileAsync(Resource resource, CancellationToken cancellationToken);

    /// <summary>
    /// Removes what the resource made in the world; called once deletion was requested.
    /// After it returns the runtime deletes the resource from the store.
    /// </summary>
    Task FinalizeAsync(Resource resource, CancellationToken cancellationToken);

    /// <summary>
    /// Runs inside the transaction that removes the finalized resource from the store, just before the
    /// removal, so that what must change with it (quota usage) commits with it or not at all. Called once
    /// per removal. Default: nothing.
    /// </summary>
    Task BeforeDeleteAsync(IStoreWriter writer, Resource resource, CancellationToken cancellationToken) => Task.CompletedTask;
}
