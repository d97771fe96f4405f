using System.Collections.Immutable;

namespace Nimbus.Core.Resources;

/// <summary>Observed state of a resource, written by its controller.</summary>
public sealed record ResourceStatus
{
    public static ResourceStatus Pending { get; } = new();

    public string Phase { get; init; } = ResourcePhases.Pending;

    public string? Message { get; init; }

    /// <summary>The <see cref="Resource.Version"/> this status describes.</summary>
    public long ObservedVersion { get; init; }

    public ImmutableArray<Condition> Conditions { get; init; } = [];

    /// <summary>Kind-specific observed facts (addresses, paths...), a JSON object or null.</summary>
    public System.Text.Json.JsonElement? Details { get; init; }
}

/// <summary>One condition of a resource (Kubernetes-style).</summary>
public sealed record Condition(string Type, string Status, string? Reason, string? Message, DateTimeOffset LastTransitionTime);

/// <summary>Well-known phases.</summary>
public static class ResourcePhases
{
    public const string Pending = "pending";
    public const string Ready = "ready";
    public const string Running = "running";
    public const string Failed = "failed";
    public const string Deleting = "deleting";
}
