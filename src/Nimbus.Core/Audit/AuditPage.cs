namespace Nimbus.Core.Audit;

/// <summary>One page of audit events, newest first; <see cref="NextPageToken"/> is null on the last page.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEvent> Items, string? NextPageToken);
