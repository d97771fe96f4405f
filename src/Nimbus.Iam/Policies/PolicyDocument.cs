namespace Nimbus.Iam.Policies;

/// <summary>A validated policy document. Build one with <see cref="Parse"/>; it is immutable.</summary>
public sealed record PolicyDocument
{
    public const string Version2012 = "2012-10-17";
    public const string Version2026 = "2026-11-01";

    /// <summary>Identity and trust documents above this size (UTF-8 bytes) are refused (AWS's role policy limit).</summary>
    public const int MaxBytes = 10 * 1024;

    /// <summary>Resource policies (bucket policies) may be larger: S3 allows 20 KB.</summary>
    public const int MaxResourcePolicyBytes = 20 * 1024;

    /// <summary>The size limit of a document of <paramref name="kind"/>.</summary>
    public static int MaxBytesOf(PolicyKind kind) => kind == PolicyKind.Resource ? MaxResourcePolicyBytes : MaxBytes;

    public const int MaxStatements = 100;

    public string Version { get; init; } = Version2012;

    public string? Id { get; init; }

    public IReadOnlyList<PolicyStatement> Statements { get; init; } = [];

    /// <summary>
    /// Parses and validates <paramref name="json"/>. Never throws for bad input: every problem
    /// found is in <see cref="PolicyParseResult.Errors"/> with its line and column.
    /// </summary>
    public static PolicyParseResult Parse(string json, IActionCatalog catalog, PolicyKind kind = PolicyKind.Identity) =>
        new PolicyParser(catalog, kind).Parse(json);

    /// <summary>The canonical JSON form (arrays everywhere), e.g. to store or show a built-in policy.</summary>
    public string ToJson() => PolicyWriter.Write(this);
}
