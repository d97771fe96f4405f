namespace Nimbus.Contracts.Quotas;

/// <summary>One quota of an account, as listed by <c>GET /v1/quotas</c>.</summary>
public sealed record QuotaDto
{
    /// <summary>Stable quota code, <c>&lt;service&gt;.&lt;what&gt;</c>, e.g. <c>demo.widgets</c>.</summary>
    public required string Code { get; init; }

    /// <summary>What the quota counts.</summary>
    public required string Description { get; init; }

    /// <summary>Unit of <see cref="Limit"/> and <see cref="Usage"/>, e.g. <c>widgets</c>, <c>vCPUs</c>.</summary>
    public required string Unit { get; init; }

    /// <summary>
    /// <c>account</c>: one counter per account; <c>user</c>: the limit applies to each user of the account
    /// separately (then <see cref="Usage"/> is null).
    /// </summary>
    public required string Scope { get; init; }

    /// <summary>Account the figures belong to.</summary>
    public required string Account { get; init; }

    /// <summary>The limit in force: the account's override, else <see cref="DefaultLimit"/>.</summary>
    public long Limit { get; init; }

    /// <summary>The platform's default limit.</summary>
    public long DefaultLimit { get; init; }

    /// <summary>True when an administrator set a limit for this account.</summary>
    public bool IsOverridden { get; init; }

    /// <summary>Units in use now; null for per-user quotas.</summary>
    public long? Usage { get; init; }
}
