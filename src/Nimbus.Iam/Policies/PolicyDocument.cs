namespace Nimbus.Iam.Policies;

/// <summary>A validated policy document. Build one with <see cref="Parse"/>; it is immutable.</summary>
public sealed record PolicyDocument
{
    public const string Version2012 = "2012-10-17";
    public const string Version2026 = "2026-11-01";

    /// <summary>Documents above this size (UTF-8 bytes) are refused.</summary>
    public const int MaxBytes = 10 * 1024;

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
