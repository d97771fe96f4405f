using Nimbus.Contracts.Audit;
using Nimbus.Core.Audit;
using Nimbus.Contracts.Resources;
using Nimbus.Store.Audit;
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

    [Fact]
    public async Task Retention_removes_events_older_than_the_configured_days_at_start()
    {
        using var directory = new TempDirectory("nimbus-audit-retention");
        var first = await NimbusServer.StartAsync(dataDirectory: directory.Path);
        await first.StopAsync();

        // Events written long ago, straight into the server's database.
        await using (var log = AuditLogFactory.Create(directory.Path))
        {
            await log.InitializeAsync(CancellationToken.None);
            var now = DateTimeOffset.UtcNow;
            await log.AppendAsync(
            [
                new AuditEvent { Time = now.AddDays(-40), RequestId = "req-old", Method = "GET", Path = "/v1/x", Outcome = "allowed", Status = 200 },
                new AuditEvent { Time = now.AddDays(-20), RequestId = "req-recent", Method = "GET", Path = "/v1/x", Outcome = "allowed", Status = 200 },
            ], CancellationToken.None);
        }

        await using var second = await NimbusServer.StartAsync(o => o with { AuditRetentionDays = 30 }, directory.Path);
        using var client = second.SignedHttpClient();
        var ids = await Poll.UntilAsync(
            async () => (await (await client.GetAsync("/v1/audit/events?pageSize=1000&until=1d")).ShouldBeOkAsync<PageDto<AuditEventDto>>()).Items.Select(e => e.RequestId).ToList(),
            ids => !ids.Contains("req-old"),
            what: "retention removed the 40-day-old event");
        ids.ShouldBe(["req-recent"]);
    }
}
