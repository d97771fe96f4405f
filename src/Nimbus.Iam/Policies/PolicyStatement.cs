namespace Nimbus.Iam.Policies;

/// <summary>
/// One statement. Exactly one of <see cref="Actions"/>/<see cref="NotActions"/> and (for identity
/// policies) one of <see cref="Resources"/>/<see cref="NotResources"/> is non-null.
/// </summary>
public sealed record PolicyStatement
{
    public string? Sid { get; init; }

    /// <summary>0-based position in the document's <c>Statement</c> array.</summary>
    public int Index { get; init; }

    public PolicyEffect Effect { get; init; }

    public IReadOnlyList<string>? Actions { get; init; }

    public IReadOnlyList<string>? NotActions { get; init; }

    public IReadOnlyList<string>? Resources { get; init; }

    public IReadOnlyList<string>? NotResources { get; init; }

    /// <summary>Principals of a resource policy: <c>*</c>, account ids or NRNs.</summary>
    public IReadOnlyList<string>? Principals { get; init; }

    public IReadOnlyList<string>? NotPrincipals { get; init; }

    public IReadOnlyList<PolicyCondition> Conditions { get; init; } = [];
}
