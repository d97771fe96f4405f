using Nimbus.Contracts.Iam;
using Nimbus.Contracts.Signing;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Server.Tests;

public sealed class AccessKeyLastUsedTests
{
    [Fact]
    public async Task A_key_in_steady_use_has_its_last_use_persisted_again_after_a_minute()
    {
        using var directory = new TempDirectory("nimbus-last-used");
        var clock = new ShiftableTimeProvider();
        string keyId;
        DateTimeOffset lastRequest;
        var first = await NimbusServer.StartAsync(dataDirectory: directory.Path, time: clock);
        using (var admin = first.SignedHttpClient(clock: clock.GetUtcNow))
        {
            var created = await (await admin.PostJsonAsync("/v1/iam/access-keys", new CreateAccessKeyRequest())).ShouldBeOkAsync<CreateAccessKeyResponse>(System.Net.HttpStatusCode.Created);
            keyId = created.AccessKey.AccessKeyId;
            using var client = first.SignedHttpClient(new SigV4Credentials(keyId, created.SecretAccessKey), clock.GetUtcNow);

            // Used every three seconds for two minutes: never idle for the one-minute resolution.
            for (var i = 0; i < 40; i++)
            {
                (await client.GetAsync("/v1/sts/caller-identity")).EnsureSuccessStatusCode();
                clock.Advance(TimeSpan.FromSeconds(3));
            }

            lastRequest = clock.GetUtcNow() - TimeSpan.FromSeconds(3);
        }

        await first.StopAsync();

        // A fresh process knows only what was persisted (and the admin key reading it is another key).
        await using var second = await NimbusServer.StartAsync(dataDirectory: directory.Path, time: clock);
        using var again = second.SignedHttpClient(clock: clock.GetUtcNow);
        var key = await (await again.GetAsync($"/v1/iam/access-keys/{keyId}")).ShouldBeOkAsync<AccessKeyDto>();
        key.LastUsedAt.ShouldNotBeNull();
        key.LastUsedAt.Value.ShouldBeGreaterThan(lastRequest - TimeSpan.FromMinutes(1.5), "persisted while in use, not only at the first request");
    }
}
