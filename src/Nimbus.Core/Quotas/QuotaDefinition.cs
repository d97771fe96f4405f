namespace Nimbus.Core.Quotas;

/// <summary>
/// A quota a service enforces: a stable code (<c>&lt;service&gt;.&lt;what&gt;</c>), what it counts, the
/// platform's default limit and its unit. Services declare theirs and register them as singletons.
/// </summary>
public sealed record QuotaDefinition
{
    public required string Code { get; init; }

    public required string Description { get; init; }

    public required long DefaultLimit { get; init; }

    /// <summary>Plural noun of what is counted, e.g. <c>widgets</c>, <c>vCPUs</c>.</summary>
    public required string Unit { get; init; }

    public QuotaScope Scope { get; init; } = QuotaScope.Account;
}
