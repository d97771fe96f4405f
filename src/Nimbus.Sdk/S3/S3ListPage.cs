namespace Nimbus.Sdk.S3;

/// <summary>One page of ListObjectsV2.</summary>
public sealed record S3ListPage
{
    /// <summary>Objects of this page, in UTF-8 byte order of their keys.</summary>
    public required IReadOnlyList<S3ObjectSummary> Objects { get; init; }

    /// <summary>Key prefixes rolled up at the delimiter (<c>CommonPrefixes</c>); empty without a delimiter.</summary>
    public required IReadOnlyList<string> CommonPrefixes { get; init; }

    /// <summary>Token of the next page; null on the last page.</summary>
    public string? NextContinuationToken { get; init; }
}
