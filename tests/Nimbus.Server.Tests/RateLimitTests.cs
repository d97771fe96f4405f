using System.Net;
using Nimbus.Contracts.Errors;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Server.Tests;

public sealed class RateLimitTests
{
    [Fact]
    public async Task Exhausted_access_key_gets_429_with_retry_after()
    {
        await using var server = await NimbusServer.StartAsync(o => o with { RateLimitPerSecond = 1, RateLimitBurst = 3 });
        using var client = server.SignedHttpClient();
        var statuses = new List<HttpResponseMessage>();
        for (var i = 0; i < 6; i++)
        {
            statuses.Add(await client.GetAsync("/v1/sts/caller-identity"));
        }

        statuses.Take(3).ShouldAllBe(r => r.StatusCode == HttpStatusCode.OK);
        var throttled = statuses.Last();
        await throttled.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests, ErrorCodes.Throttled);
        int.Parse(throttled.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThanOrEqualTo(1);
    }
}
