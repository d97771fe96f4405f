using System.Net;
using Nimbus.Contracts.Resources;

namespace Nimbus.Sdk.Resources;

/// <summary>Polls a resource until it reaches a phase or disappears; shared by every resource kind.</summary>
internal sealed class ResourceWaiter
{
    private const string FailedPhase = "failed";
    private static readonly TimeSpan MaxPollInterval = TimeSpan.FromSeconds(2);

    private readonly NimbusClientOptions _options;

    public ResourceWaiter(NimbusClientOptions options)
    {
        _options = options;
    }

    public async Task<ResourceDto> WaitForPhaseAsync(
        Func<CancellationToken, Task<ResourceDto>> read, string id, string phase, TimeSpan timeout, long minObservedVersion, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(phase);
        var time = _options.TimeProvider;
        var deadline = time.GetUtcNow() + timeout;
        var interval = InitialInterval();
        while (true)
        {
            var resource = await read(cancellationToken).ConfigureAwait(false);
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
