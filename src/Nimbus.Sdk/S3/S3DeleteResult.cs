namespace Nimbus.Sdk.S3;

/// <summary>The outcome of DeleteObjects: which keys are gone, and which failed with what error.</summary>
public sealed record S3DeleteResult
{
    /// <summary>Keys deleted (or that did not exist, which S3 counts as deleted).</summary>
    public required IReadOnlyList<string> Deleted { get; init; }

    /// <summary>Keys that could not be deleted.</summary>
    public required IReadOnlyList<S3DeleteError> Errors { get; init; }
}
