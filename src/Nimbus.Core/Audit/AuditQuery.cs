namespace Nimbus.Core.Audit;

/// <summary>A filter over the audit log; every set field must match. Results are newest first.</summary>
public sealed record AuditQuery
{
    /// <summary>Only this account's events; null for every account (platform administrators).</summary>
    public string? Account { get; init; }

    /// <summary>Inclusive lower bound of <see cref="AuditEvent.Time"/>.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Exclusive upper bound of <see cref="AuditEvent.Time"/>.</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>A principal NRN (contains ':') or a user name.</summary>
    public string? Principal { get; init; }

    /// <summary>An exact action, or a prefix followed by a trailing <c>*</c> (<c>iam:*</c>).</summary>
    public string? Action { get; init; }

    /// <summary>An NRN that must be among the event's resources.</summary>
    public string? Resource { get; init; }

    public string? Outcome { get; init; }

    public int PageSize { get; init; } = 50;

    /// <summary>Continuation token of the previous page; null for the first page.</summary>
    public string? PageToken { get; init; }
}
