using System.Text.Json;

namespace Nimbus.Contracts.Resources;

/// <summary>
/// The envelope every Nimbus resource is returned in (see DESIGN.md, "Resources").
/// </summary>
public sealed record ResourceDto
{
    /// <summary>Identifier: kind prefix + random suffix, e.g. <c>wdg-7f3k2m9q0c1d</c>. Always set.</summary>
    public required string Id { get; init; }

    /// <summary>Kind, <c>service/type</c>, e.g. <c>demo/widget</c>. Always set.</summary>
    public required string Kind { get; init; }

    /// <summary>Nimbus resource name: <c>nrn:nimbus:&lt;service&gt;:&lt;region&gt;:&lt;account&gt;:&lt;type&gt;/&lt;id&gt;</c>.</summary>
    public required string Nrn { get; init; }

    /// <summary>Owning account id (12 digits).</summary>
    public required string Account { get; init; }

    /// <summary>Human name chosen by the user; unique per account and kind.</summary>
    public required string Name { get; init; }

    /// <summary>User tags; empty when none.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>What the user asked for; shape depends on the kind.</summary>
    public JsonElement Spec { get; init; }

    /// <summary>What is true now.</summary>
    public ResourceStatusDto Status { get; init; } = new();

    /// <summary>Optimistic concurrency version; starts at 1 and grows with every write.</summary>
    public long Version { get; init; }

    /// <summary>Creation time (UTC).</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Last update time (UTC).</summary>
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>Observed state of a resource.</summary>
public sealed record ResourceStatusDto
{
    /// <summary>Lifecycle phase, e.g. <c>pending</c>, <c>ready</c>, <c>failed</c>, <c>deleting</c>.</summary>
    public string Phase { get; init; } = "pending";

    /// <summary>Human-readable detail of the phase; optional.</summary>
    public string? Message { get; init; }

    /// <summary>The resource version the controller last reconciled.</summary>
    public long ObservedVersion { get; init; }

    /// <summary>Conditions, one per type.</summary>
    public IReadOnlyList<ConditionDto> Conditions { get; init; } = [];

    /// <summary>Kind-specific observed facts (e.g. a bucket's usage); absent when the kind has none.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? Details { get; init; }
}

/// <summary>One observed condition of a resource.</summary>
public sealed record ConditionDto
{
    /// <summary>Condition type, e.g. <c>Ready</c>.</summary>
    public required string Type { get; init; }

    /// <summary><c>True</c>, <c>False</c> or <c>Unknown</c>.</summary>
    public required string Status { get; init; }

    /// <summary>Machine-readable reason; optional.</summary>
    public string? Reason { get; init; }

    /// <summary>Human-readable message; optional.</summary>
    public string? Message { get; init; }

    /// <summary>When the condition last changed status (UTC).</summary>
    public DateTimeOffset LastTransitionTime { get; init; }
}

/// <summary>One page of a list call.</summary>
/// <typeparam name="T">Item type.</typeparam>
public sealed record PageDto<T>
{
    /// <summary>Items of this page, in stable order.</summary>
    public required IReadOnlyList<T> Items { get; init; }

    /// <summary>Opaque token for the next page; null on the last page.</summary>
    public string? NextToken { get; init; }
}
