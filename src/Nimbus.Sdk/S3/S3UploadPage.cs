namespace Nimbus.Sdk.S3;

/// <summary>One page of ListMultipartUploads.</summary>
public sealed record S3UploadPage
{
    /// <summary>Uploads in progress, by key then initiation time.</summary>
    public required IReadOnlyList<S3UploadSummary> Uploads { get; init; }

    /// <summary>Key marker of the next page; null on the last page.</summary>
    public string? NextKeyMarker { get; init; }

    /// <summary>Upload id marker of the next page; null on the last page.</summary>
    public string? NextUploadIdMarker { get; init; }
}
