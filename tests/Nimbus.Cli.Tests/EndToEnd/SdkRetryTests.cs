using System.Net;
using Nimbus.Cli.Tests.EndToEnd.Support;
using Nimbus.Contracts.Demo;
using Nimbus.Contracts.Errors;
using Nimbus.Sdk;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Cli.Tests.EndToEnd;

/// <summary>Retries against a real server: its throttling and its Idempotency-Key replays, not canned ones.</summary>
public sealed class SdkRetryTests
{
    [Fact]
    public async Task Throttled_calls_are_retried_after_retry_after_until_they_succeed()
    {
        await using var server = await NimbusServer.StartAsync(o => o with { RateLimitPerSecond = 1, RateLimitBurst = 1 });
        var recorder = new RecordingHandler();
        using var client = Clients.For(server, recorder);

        // A burst of one: the first call takes the only token, the others are throttled until the bucket refills.
        var identities = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => client.Sts.GetCallerIdentityAsync()));

        identities.ShouldAllBe(i => i.AccessKeyId == server.Admin.AccessKeyId);
        var statuses = recorder.Exchanges.Select(e => e.Status).ToList();
        statuses.Count(s => s == HttpStatusCode.OK).ShouldBe(3, string.Join(",", statuses));
        statuses.Count(s => s == HttpStatusCode.TooManyRequests).ShouldBeGreaterThanOrEqualTo(1, string.Join(",", statuses));
        statuses.Count.ShouldBe(statuses.Count(s => s is HttpStatusCode.OK or HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task Throttled_call_without_retries_left_surfaces_Throttled_with_retry_after()
    {
        await using var server = await NimbusServer.StartAsync(o => o with { RateLimitPerSecond = 1, RateLimitBurst = 1 });
        using var client = Clients.For(server, new RecordingHandler(), o => o with { MaxRetries = 0 });

        // Several at once, so that the bucket of one is empty for at least one of them however slow the machine is.
        var calls = Enumerable.Range(0, 5).Select(_ => client.Sts.GetCallerIdentityAsync()).ToList();
        await Should.ThrowAsync<NimbusApiException>(() => Task.WhenAll(calls));

        var failures = calls.Where(c => c.IsFaulted).Select(c => c.Exception!.InnerException).ToList();
        failures.ShouldAllBe(f => f is NimbusApiException);
        calls.Count(c => c.IsCompletedSuccessfully).ShouldBeGreaterThanOrEqualTo(1);
        var error = (NimbusApiException)failures[0]!;
        error.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        error.Code.ShouldBe(ErrorCodes.Throttled);
        error.IsTransient.ShouldBeTrue();
        error.RetryAfter.ShouldBe(TimeSpan.FromSeconds(1));
        error.Message.ShouldBe("Too many requests for this access key; slow down and retry.");
    }

    [Fact]
    public async Task Create_retried_after_a_lost_answer_is_replayed_and_creates_once()
    {
        await using var server = await NimbusServer.StartAsync();
        var recorder = new RecordingHandler { DropAnswerOf = [0] };
        using var client = Clients.For(server, recorder);

        var created = await client.Demo.Widgets.CreateAsync(new CreateWidgetRequest { Name = "once", Spec = new WidgetSpec { Message = "hi" } });

        var attempts = recorder.Exchanges;
        attempts.Count.ShouldBe(2);
        attempts.ShouldAllBe(a => a.Method == HttpMethod.Post && a.PathAndQuery == "/v1/demo/widgets" && a.Status == HttpStatusCode.Created);
        attempts[0].IdempotencyKey.ShouldNotBeNull().ShouldMatch("^[0-9a-f]{32}$");
        attempts[1].IdempotencyKey.ShouldBe(attempts[0].IdempotencyKey);
        attempts.Select(a => a.Replayed).ShouldBe([false, true]);
        var all = await client.Demo.Widgets.ListAsync();
        all.Items.Select(w => (w.Id, w.Name)).ShouldBe([(created.Id, "once")]);
    }

    [Fact]
    public async Task Access_key_create_repeated_with_the_same_idempotency_key_returns_the_same_key_and_secret()
    {
        await using var server = await NimbusServer.StartAsync();
        using var client = Clients.For(server);
        var key = Guid.NewGuid().ToString("N");

        var first = await client.Iam.AccessKeys.CreateAsync(idempotencyKey: key);
        var second = await client.Iam.AccessKeys.CreateAsync(idempotencyKey: key);

        second.ShouldBe(first);
        (await client.Iam.AccessKeys.ListAsync()).Items.Select(k => k.AccessKeyId).ShouldBe([server.Admin.AccessKeyId, first.AccessKey.AccessKeyId]);
    }

    [Fact]
    public async Task Same_idempotency_key_with_a_different_request_is_IdempotencyKeyReused()
    {
        await using var server = await NimbusServer.StartAsync();
        using var client = Clients.For(server);
        var widgets = client.Demo.Widgets;
        await widgets.CreateAsync(new CreateWidgetRequest { Name = "first", Spec = new WidgetSpec { Message = "a" } }, idempotencyKey: "key-1");

        var error = await Should.ThrowAsync<NimbusApiException>(() =>
            widgets.CreateAsync(new CreateWidgetRequest { Name = "second", Spec = new WidgetSpec { Message = "b" } }, idempotencyKey: "key-1"));

        error.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        error.Code.ShouldBe(ErrorCodes.IdempotencyKeyReused);
        (await widgets.ListAsync()).Items.Select(w => w.Name).ShouldBe(["first"]);
    }
}
