using System.Net;
using System.Net.Http.Headers;

namespace Nimbus.Sdk.Http;

/// <summary>Which failures are retried, and how long to wait before the next attempt.</summary>
internal sealed class RetryPolicy
{
    private readonly NimbusClientOptions _options;
    private readonly Func<double> _random;

    public RetryPolicy(NimbusClientOptions options, Func<double>? random = null)
    {
        _options = options;
        _random = random ?? Random.Shared.NextDouble;
    }

    public int MaxRetries => Math.Max(0, _options.MaxRetries);

    /// <summary>
    /// A request may be sent twice only if a replay cannot do harm: the idempotent methods of RFC 9110
    /// section 9.2.2, or a POST the server deduplicates by its Idempotency-Key.
    /// </summary>
    public static bool IsReplaySafe(HttpMethod method, bool hasIdempotencyKey) =>
        method == HttpMethod.Get || method == HttpMethod.Head || method == HttpMethod.Put
        || method == HttpMethod.Delete || method == HttpMethod.Options || hasIdempotencyKey;

    public static bool IsRetryableStatus(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable;

    /// <summary>
    /// Full-jitter exponential backoff (AWS Architecture Blog, "Exponential Backoff And Jitter"):
    /// uniform in [0, min(cap, base * 2^attempt)], which spreads retrying clients apart.
    /// A server's Retry-After wins: retrying sooner would only be throttled again.
    /// </summary>
    public TimeSpan DelayBeforeRetry(int attempt, TimeSpan? retryAfter)
    {
        if (retryAfter is { } serverDelay && serverDelay > TimeSpan.Zero)
        {
            return serverDelay;
        }

        var exponent = Math.Min(attempt, 30);
        var ceiling = Math.Min(_options.RetryMaxDelay.TotalMilliseconds, _options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, exponent));
        return TimeSpan.FromMilliseconds(_random() * ceiling);
    }

    public static TimeSpan? RetryAfterOf(HttpResponseHeaders headers, DateTimeOffset now)
    {
        var retryAfter = headers.RetryAfter;
        if (retryAfter?.Delta is { } delta)
        {
            return delta;
        }

        if (retryAfter?.Date is { } date)
        {
            var wait = date - now;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }
}
