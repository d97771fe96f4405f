namespace Nimbus.Core.Audit;

/// <summary>
/// The append-only audit log. There is deliberately no update or delete: retention
/// (<see cref="PruneOlderThanAsync"/>) is the only way a record leaves the log.
/// </summary>
public interface IAuditLog : IAsyncDisposable
{
    /// <summary>Creates the <c>audit_events</c> table and its indexes if missing (idempotent).</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Appends the events in one transaction: all are stored or none.</summary>
    Task AppendAsync(IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken);

    /// <summary>One page of matching events, newest first (time, then append order).</summary>
    Task<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken);

    /// <summary>Removes events older than <paramref name="cutoff"/>; returns how many.</summary>
    Task<long> PruneOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);
}
