namespace Nimbus.Core.Audit;

/// <summary>Configuration of the <see cref="AuditTrail"/> writer and of retention.</summary>
public sealed record AuditOptions
{
    /// <summary>Records waiting to be written before requests wait for room (backpressure). Default 10,000.</summary>
    public int QueueCapacity { get; init; } = 10_000;

    /// <summary>Most records written in one transaction. Default 500.</summary>
    public int MaxBatchSize { get; init; } = 500;

    /// <summary>
    /// How long the writer lets records gather after the first one of a batch arrives, so that a busy
    /// server writes few large transactions instead of many small ones (each commit costs an fsync and a
    /// fixed share of CPU). Zero writes what is queued at once. Default 5 ms; queries flush first, so a
    /// client never reads around it.
    /// </summary>
    public TimeSpan BatchWindow { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>How long records are kept. Default 365 days.</summary>
    public TimeSpan Retention { get; init; } = TimeSpan.FromDays(365);

    /// <summary>How often retention runs. Default daily.</summary>
    public TimeSpan PruneInterval { get; init; } = TimeSpan.FromDays(1);
}
