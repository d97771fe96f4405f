using System.Net;
using Nimbus.Contracts.Resources;

namespace Nimbus.Sdk.Resources;

/// <summary>Polls a resource until it reaches a phase or disappears; shared by every resource kind.</summary>
internal sealed class ResourceWaiter
{
    private const string FailedPhase = "failed";
    private static readonly TimeSpan MaxPollInterval = TimeSpan.FromSeconds(2);

    /// <summary>The longest a single long poll asks the server to hold the request (under the HTTP client's timeout).</summary>
    private static readonly TimeSpan MaxServerWait = TimeSpan.FromSeconds(20);

    private readonly NimbusClientOptions _options;

    public ResourceWaiter(NimbusClientOptions options)
    {
        _options = options;
    }

    /// <summary>
    /// Waits for <paramref name="phase"/> with the server's long poll: each read asks the server to answer once the
    /// phase (or <c>failed</c>) is reached, for up to <see cref="MaxServerWait"/>; <paramref name="read"/> gets the
    /// query to append to the resource's path ("" for a plain read). A server that answers at once without the phase
    /// (one that predates the long poll) is polled as before.
    /// </summary>
    public async Task<ResourceDto> WaitForPhaseAsync(
        Func<string, CancellationToken, Task<ResourceDto>> read, string id, string phase, TimeSpan timeout, long minObservedVersion, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(phase);
        var time = _options.TimeProvider;
        var deadline = time.GetUtcNow() + timeout;
        var interval = InitialInterval();
        while (true)
        {
            var left = deadline - time.GetUtcNow();
            var wait = left >= TimeSpan.FromSeconds(2) ? (int)Math.Min(MaxServerWait.TotalSeconds, left.TotalSeconds - 1) : 0;
            var query = wait == 0
                ? ""
                : FormattableString.Invariant($"?wait={wait}&untilPhase={Uri.EscapeDataString(phase.ToLowerInvariant())}&minObservedVersion={minObservedVersion}");
            var asked = time.GetTimestamp();
            var resource = await read(query, cancellationToken).ConfigureAwait(false);
            var current = resource.Status.ObservedVersion >= minObservedVersion;
            if (current && string.Equals(resource.Status.Phase, phase, StringComparison.OrdinalIgnoreCase))
            {
                return resource;
            }

            if (current && string.Equals(resource.Status.Phase, FailedPhase, StringComparison.OrdinalIgnoreCase))
            {
                throw new NimbusWaitException(
                    NimbusWaitException.ResourceFailedCode,
                    $"{id} is failed instead of {phase}{(resource.Status.Message is { } m ? ": " + m : ".")}",
                    resource);
            }

            if (time.GetUtcNow() >= deadline)
            {
                throw new NimbusWaitException(
                    NimbusWaitException.WaitTimeoutCode,
                    $"{id} is still {resource.Status.Phase} after {Describe(timeout)}, not {phase}.",
                    resource);
            }

            // The server held the request for its wait: ask again at once. Otherwise it did not wait: poll.
            if (wait > 0 && time.GetElapsedTime(asked) >= TimeSpan.FromSeconds(wait / 2.0))
            {
                continue;
            }

            await Task.Delay(Min(interval, deadline - time.GetUtcNow()), time, cancellationToken).ConfigureAwait(false);
            interval = Next(interval);
        }
    }

    public async Task WaitForDeletedAsync(
        Func<CancellationToken, Task<ResourceDto>> read, string id, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var time = _options.TimeProvider;
        var deadline = time.GetUtcNow() + timeout;
        var interval = InitialInterval();
        while (true)
        {
            ResourceDto resource;
            try
            {
                resource = await read(cancellationToken).ConfigureAwait(false);
            }
            catch (NimbusApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                return;
            }

            if (time.GetUtcNow() >= deadline)
            {
                throw new NimbusWaitException(
                    NimbusWaitException.WaitTimeoutCode,
                    $"{id} still exists (phase {resource.Status.Phase}) after {Describe(timeout)}.",
                    resource);
            }

            await Task.Delay(Min(interval, deadline - time.GetUtcNow()), time, cancellationToken).ConfigureAwait(false);
            interval = Next(interval);
        }
    }

    private TimeSpan InitialInterval() => _options.WaitPollInterval > TimeSpan.Zero ? _options.WaitPollInterval : TimeSpan.FromMilliseconds(100);

    // Quick first polls catch fast controllers; slower later ones spare a busy server.
    private static TimeSpan Next(TimeSpan interval) => Min(interval * 1.5, MaxPollInterval);

    private static TimeSpan Min(TimeSpan a, TimeSpan b)
    {
        var min = a < b ? a : b;
        return min < TimeSpan.Zero ? TimeSpan.Zero : min;
    }

    private static string Describe(TimeSpan timeout) =>
        timeout.TotalSeconds >= 1 ? $"{timeout.TotalSeconds:0.#}s" : $"{timeout.TotalMilliseconds:0}ms";
}
