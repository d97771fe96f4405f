using Nimbus.Contracts.Audit;
using Nimbus.Contracts.Resources;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Server.Tests;

public sealed class AuditRestartTests
{
    [Fact]
    public async Task Records_queued_at_shutdown_are_drained_and_survive_a_restart()
    {
        using var directory = new TempDirectory("nimbus-audit-restart");
        var first = await NimbusServer.StartAsync(dataDirectory: directory.Path);
        using (var client = first.SignedHttpClient())
        {
            for (var i = 0; i < 20; i++)
            {
                var request = new HttpRequestMessage(HttpMethod.Get, "/v1/sts/caller-identity");
                request.Headers.Add("X-Request-Id", $"req-before-restart-{i}");
                (await client.SendAsync(request)).EnsureSuccessStatusCode();
            }
        }

        await first.StopAsync();

        await using var second = await NimbusServer.StartAsync(dataDirectory: directory.Path);
        using var again = second.SignedHttpClient();
        var page = await (await again.GetAsync("/v1/audit/events?pageSize=1000&action=sts:GetCallerIdentity")).ShouldBeOkAsync<PageDto<AuditEventDto>>();
        page.Items.Select(e => e.RequestId).ShouldBe(Enumerable.Range(0, 20).Reverse().Select(i => $"req-before-restart-{i}"));
    }
}
