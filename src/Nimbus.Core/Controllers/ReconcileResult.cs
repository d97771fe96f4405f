using Nimbus.Core.Resources;

namespace Nimbus.Core.Controllers;

/// <summary>What one reconcile produced: the status to store and, optionally, when to look again.</summary>
public sealed record ReconcileResult(ResourceStatus Status, TimeSpan? RequeueAfter = null);
