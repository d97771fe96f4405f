namespace Nimbus.Core.Store;

/// <summary>
/// A list request. Results come in a stable order (insertion order); <see cref="PageToken"/>
/// continues after the last item of the previous page even when resources were added or
/// removed meanwhile.
/// </summary>
public sealed record ResourceQuery
{
    public required string Kind { get; init; }

    /// <summary>Only resources of this account; null for every account.</summary>
    public string? Account { get; init; }

    /// <summary>Exact name; optional.</summary>
    public string? Name { get; init; }

    /// <summary>Every pair must be present among the resource's tags.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>Maximum items, 1 to 1000.</summary>
    public int PageSize { get; init; } = 50;

    /// <summary>Opaque token from a previous <see cref="ResourcePage.NextPageToken"/>; null for the first page.</summary>
    public string? PageToken { get; init; }
}
