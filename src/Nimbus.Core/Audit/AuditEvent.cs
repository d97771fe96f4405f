namespace Nimbus.Core.Audit;

/// <summary>One audit record as the pipeline builds it and the <see cref="IAuditLog"/> stores it.</summary>
public sealed record AuditEvent
{
    /// <summary>Position in the log, assigned by the store on append; 0 before.</summary>
    public long Sequence { get; init; }

    /// <summary>Stamped at the API edge.</summary>
    public required DateTimeOffset Time { get; init; }

    public required string RequestId { get; init; }

    public string? Account { get; init; }

    public string? Principal { get; init; }

    public string? UserName { get; init; }

    public string? SessionName { get; init; }

    public string? AccessKeyId { get; init; }

    public string? SourceIp { get; init; }

    public string? UserAgent { get; init; }

    public required string Method { get; init; }

    public required string Path { get; init; }

    public string? Action { get; init; }

    public IReadOnlyList<string> Resources { get; init; } = [];

    /// <summary>See <see cref="Nimbus.Contracts.Audit.AuditOutcomes"/>.</summary>
    public required string Outcome { get; init; }

    public required int Status { get; init; }

    public string? ErrorCode { get; init; }

    /// <summary>Redacted JSON text of a write's body (see <see cref="AuditRedactor"/>); null otherwise.</summary>
    public string? RequestParameters { get; init; }
}
