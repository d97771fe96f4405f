namespace Nimbus.Sdk.S3;

/// <summary>What ListObjectsV2 lists. Every value is optional.</summary>
public sealed record S3ListRequest
{
    /// <summary>Only keys starting with this prefix; default all.</summary>
    public string? Prefix { get; init; }

    /// <summary>Roll up keys at this delimiter (usually <c>/</c>) into <see cref="S3ListPage.CommonPrefixes"/>; default none.</summary>
    public string? Delimiter { get; init; }

    /// <summary>Keys per page, 1 to 1000; default 1000 (server default).</summary>
    public int? MaxKeys { get; init; }

    /// <summary>Token of the previous page (<see cref="S3ListPage.NextContinuationToken"/>).</summary>
    public string? ContinuationToken { get; init; }

    /// <summary>Start after this key; default from the first key.</summary>
    public string? StartAfter { get; init; }
}
