namespace Nimbus.Sdk.Audit;

/// <summary>Which audit events to read; every set field must match. All optional.</summary>
public sealed record AuditEventFilter
{
    /// <summary>Optional. Earliest time, inclusive: ISO-8601 (<c>2026-11-22T10:00:00Z</c>) or relative to now (<c>30m</c>, <c>1h</c>, <c>7d</c>). Default: no lower bound.</summary>
    public string? Since { get; init; }

    /// <summary>Optional. Latest time, exclusive; same forms as <see cref="Since"/>. Default: no upper bound.</summary>
    public string? Until { get; init; }

    /// <summary>Optional. A user name (<c>alice</c>) or a principal NRN.</summary>
    public string? Principal { get; init; }

    /// <summary>Optional. An action (<c>iam:CreateAccessKey</c>) or a prefix with a trailing <c>*</c> (<c>iam:*</c>).</summary>
    public string? Action { get; init; }

    /// <summary>Optional. An NRN the request acted on.</summary>
    public string? Resource { get; init; }

    /// <summary>Optional. <c>allowed</c>, <c>denied</c> or <c>error</c>.</summary>
    public string? Outcome { get; init; }
}
