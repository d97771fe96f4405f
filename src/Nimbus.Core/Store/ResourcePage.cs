using Nimbus.Core.Resources;

namespace Nimbus.Core.Store;

/// <summary>One page of a list; <see cref="NextPageToken"/> is null on the last page.</summary>
public sealed record ResourcePage(IReadOnlyList<Resource> Items, string? NextPageToken);
