using System.Globalization;
using System.Threading.RateLimiting;
using Nimbus.Contracts.Errors;
using Nimbus.Core.Api;
using Nimbus.Core.Errors;
using Nimbus.Server.Hosting;

namespace Nimbus.Server.Pipeline;

/// <summary>Per-access-key token buckets; an exhausted bucket answers 429 <c>Throttled</c> with Retry-After.</summary>
public sealed class RateLimitMiddleware : IAsyncDisposable
{
    private readonly RequestDelegate _next;
    private readonly PartitionedRateLimiter<string> _limiter;

    public RateLimitMiddleware(RequestDelegate next, NimbusServerOptions options)
    {
        _next = next;
        // Refill about ten times a second, exactly at the configured rate (also below 10/s).
        var tokensPerPeriod = (int)Math.Ceiling(options.RateLimitPerSecond / 10.0);
        var period = TimeSpan.FromSeconds((double)tokensPerPeriod / options.RateLimitPerSecond);
        var bucket = new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.RateLimitBurst,
            TokensPerPeriod = tokensPerPeriod,
            ReplenishmentPeriod = period,
            QueueLimit = 0,
            AutoReplenishment = true,
        };

        // The partitioner runs on every request: it must not allocate (a lambda per call did).
        Func<string, RateLimiter> create = _ => new TokenBucketRateLimiter(bucket);
        _limiter = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.Get(key, create));
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var caller = context.FindCaller();
        if (caller is null)
        {
            await _next(context).ConfigureAwait(false);
            return;
        }

        using var lease = _limiter.AttemptAcquire(caller.AccessKeyId ?? caller.Principal);
        if (!lease.IsAcquired)
        {
            var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : 1;
            throw new NimbusException(ErrorCodes.Throttled, 429, "Too many requests for this access key; slow down and retry.")
            {
                Headers = new Dictionary<string, string> { ["Retry-After"] = retryAfter.ToString(CultureInfo.InvariantCulture) },
            };
        }

        await _next(context).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _limiter.DisposeAsync();
}
