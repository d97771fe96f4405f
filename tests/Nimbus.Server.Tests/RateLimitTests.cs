using System.Diagnostics;
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
        var clock = Stopwatch.StartNew();
        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => client.GetAsync("/v1/sts/caller-identity")));
        var elapsedSeconds = clock.Elapsed.TotalSeconds;

        // The burst of 3, plus at most one token per second that passed while sending.
        var allowed = responses.Count(r => r.StatusCode == HttpStatusCode.OK);
        allowed.ShouldBeGreaterThanOrEqualTo(3);
        allowed.ShouldBeLessThanOrEqualTo(3 + (int)Math.Ceiling(elapsedSeconds));
        var throttled = responses.First(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        await throttled.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests, ErrorCodes.Throttled);
        int.Parse(throttled.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThanOrEqualTo(1);
    }

    [Fact]
    public async Task Another_access_key_has_its_own_bucket()
    {
        await using var server = await NimbusServer.StartAsync(o => o with { RateLimitPerSecond = 1, RateLimitBurst = 2 });
        using var admin = server.SignedHttpClient();
        var created = await (await admin.PostJsonAsync("/v1/iam/access-keys", new Contracts.Iam.CreateAccessKeyRequest())).ShouldBeOkAsync<Contracts.Iam.CreateAccessKeyResponse>(HttpStatusCode.Created);
        await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => admin.GetAsync("/v1/sts/caller-identity")));

        using var other = server.SignedHttpClient(new Contracts.Signing.SigV4Credentials(created.AccessKey.AccessKeyId, created.SecretAccessKey));
        (await other.GetAsync("/v1/sts/caller-identity")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
