using System.Collections.Immutable;
using System.Text.Json;

namespace Nimbus.Core.Resources;

/// <summary>
/// A resource as the store holds it: an immutable snapshot of desired state (spec) and
/// observed state (status). <see cref="Version"/> grows with every write of spec, name or
/// tags; status writes do not bump it, so a controller's status write never races a user.
/// </summary>
public sealed record Resource
{
    public required string Id { get; init; }

    /// <summary><c>service/type</c>, e.g. <c>demo/widget</c>.</summary>
    public required string Kind { get; init; }

    public required string Account { get; init; }

    public required string Region { get; init; }

    public required string Name { get; init; }

    public ImmutableSortedDictionary<string, string> Tags { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>Kind-specific desired state, a JSON object.</summary>
    public JsonElement Spec { get; init; } = EmptyObject;

    public ResourceStatus Status { get; init; } = ResourceStatus.Pending;

    /// <summary>1 after create; the store increments it on every update.</summary>
    public long Version { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Set when a user asked for deletion of a resource whose controller must clean up first.</summary>
    public DateTimeOffset? DeletionRequestedAt { get; init; }

    public string Nrn => Resources.Nrn.Format(Kind, Region, Account, Id);

    public static JsonElement EmptyObject { get; } = JsonDocument.Parse("{}").RootElement.Clone();
}
