namespace Nimbus.Contracts.Errors;

/// <summary>Machine-readable part of a <c>QuotaExceeded</c> problem: which quota, how full, what was asked.</summary>
public sealed record QuotaProblemDto
{
    /// <summary>Quota code, e.g. <c>demo.widgets</c>.</summary>
    public required string Code { get; init; }

    /// <summary>The limit in force.</summary>
    public long Limit { get; init; }

    /// <summary>Units in use before the refused request.</summary>
    public long Usage { get; init; }

    /// <summary>Units the refused request asked for.</summary>
    public long Requested { get; init; }
}
