namespace Nimbus.Core.Controllers;

/// <summary>Tuning of the controller runtime.</summary>
public sealed record ControllerOptions
{
    /// <summary>First retry delay after a failed reconcile; doubles per failure.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest retry delay.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the feed is polled when no in-process commit signal arrives (other replicas' writes).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How often every resource is reconciled again even without changes (drift repair).</summary>
    public TimeSpan ResyncInterval { get; init; } = TimeSpan.FromMinutes(5);
}
