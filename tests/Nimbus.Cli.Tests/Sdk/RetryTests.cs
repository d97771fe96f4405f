using System.Net;
using Nimbus.Cli.Tests.Fakes;
using Nimbus.Contracts.Demo;
using Nimbus.Sdk;
using Shouldly;
using Xunit;

namespace Nimbus.Cli.Tests.Sdk;

public sealed class RetryTests
{
    [Fact]
    public async Task Throttled_get_waits_the_retry_after_seconds_then_succeeds_with_a_fresh_signature()
    {
        var (client, handler, time) = TestClients.Create();
        handler.Answer(HttpStatusCode.TooManyRequests, Canned.Problem("Throttled", "slow down"), "application/problem+json", ("Retry-After", "7"));
        handler.Answer(HttpStatusCode.OK, Canned.Widget());

        var widget = await client.Demo.Widgets.GetAsync("wdg-0001");

        widget.Id.ShouldBe("wdg-0001");
        handler.Requests.Count.ShouldBe(2);
        time.Delays.ShouldBe([TimeSpan.FromSeconds(7)]);
        handler.Requests[0].Header("X-Amz-Date").ShouldBe("20250102T030405Z");
        handler.Requests[1].Header("X-Amz-Date").ShouldBe("20250102T030412Z");
    }

    [Fact]
    public async Task Unavailable_get_is_tried_max_retries_plus_one_times_with_capped_jittered_backoff()
    {
        var (client, handler, time) = TestClients.Create(o => o with { RetryBaseDelay = TimeSpan.FromSeconds(1), RetryMaxDelay = TimeSpan.FromSeconds(3) });
        handler.Fallback = _ => CannedHandler.Response(HttpStatusCode.ServiceUnavailable, Canned.Problem("ServiceUnavailable", "down", "req-9"), "application/problem+json");

        var error = await Should.ThrowAsync<NimbusApiException>(() => client.Demo.Widgets.GetAsync("wdg-0001"));

        error.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        error.Code.ShouldBe("ServiceUnavailable");
        error.IsTransient.ShouldBeTrue();
        handler.Requests.Count.ShouldBe(4);
        time.Delays.Count.ShouldBe(3);
        time.Delays[0].ShouldBeLessThanOrEqualTo(TimeSpan.FromSeconds(1));
        time.Delays[1].ShouldBeLessThanOrEqualTo(TimeSpan.FromSeconds(2));
        time.Delays[2].ShouldBeLessThanOrEqualTo(TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task Post_without_idempotency_key_is_never_retried()
    {
        var (client, handler, time) = TestClients.Create();
        handler.Fallback = _ => CannedHandler.Response(HttpStatusCode.ServiceUnavailable, Canned.Problem("ServiceUnavailable", "down"), "application/problem+json", ("Retry-After", "1"));

        await Should.ThrowAsync<NimbusApiException>(() => client.Iam.AccessKeys.DeactivateAsync("NKIA1"));
        await Should.ThrowAsync<NimbusApiException>(() => client.SendAsync(HttpMethod.Post, "/v1/anything", new { a = 1 }));

        handler.Requests.Count.ShouldBe(2);
        time.Delays.ShouldBeEmpty();
    }

    [Fact]
    public async Task Post_connection_failure_without_idempotency_key_is_not_retried()
    {
        var (client, handler, _) = TestClients.Create();
        handler.Fallback = _ => throw new HttpRequestException("Connection refused");

        var error = await Should.ThrowAsync<NimbusConnectionException>(() => client.SendAsync(HttpMethod.Post, "/v1/anything"));

        error.Attempts.ShouldBe(1);
        handler.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Creates_send_one_idempotency_key_and_retry_with_the_same_key()
    {
        var (client, handler, _) = TestClients.Create();
        handler.Answer(HttpStatusCode.TooManyRequests, Canned.Problem("Throttled", "slow down"), "application/problem+json", ("Retry-After", "1"));
        handler.Throw(new HttpRequestException("Connection reset by peer"));
        handler.Answer(HttpStatusCode.Created, Canned.Widget(), "application/json", ("Location", "/v1/demo/widgets/wdg-0001"));

        await client.Demo.Widgets.CreateAsync(new CreateWidgetRequest { Name = "w1", Spec = new WidgetSpec { Message = "m" } });

        handler.Requests.Count.ShouldBe(3);
        var keys = handler.Requests.Select(r => r.Header("Idempotency-Key")).Distinct().ToList();
        keys.ShouldHaveSingleItem().ShouldNotBeNullOrEmpty();
        handler.Requests.Select(r => r.BodyText).Distinct().Count().ShouldBe(1);
    }

    [Fact]
    public async Task Two_creates_send_different_idempotency_keys_and_an_explicit_key_is_used_as_given()
    {
        var (client, handler, _) = TestClients.Create();
        handler.Fallback = _ => CannedHandler.Response(HttpStatusCode.Created, """{"accessKey":""" + Canned.AccessKey() + ""","secretAccessKey":"s3cr3t"}""");

        await client.Iam.AccessKeys.CreateAsync();
        await client.Iam.AccessKeys.CreateAsync();
        await client.Iam.AccessKeys.CreateAsync("bob", idempotencyKey: "my-key");

        var keys = handler.Requests.Select(r => r.Header("Idempotency-Key")).ToList();
        keys[0].ShouldNotBe(keys[1]);
        keys[2].ShouldBe("my-key");
        handler.Requests[2].BodyText.ShouldBe("""{"userName":"bob"}""");
    }

    [Fact]
    public async Task Connection_failures_of_a_get_end_in_a_connection_exception_after_all_attempts()
    {
        var (client, handler, _) = TestClients.Create(o => o with { MaxRetries = 2 });
        handler.Fallback = _ => throw new HttpRequestException("Connection refused (nimbus.test:7070)");

        var error = await Should.ThrowAsync<NimbusConnectionException>(() => client.Sts.GetCallerIdentityAsync());

        error.Attempts.ShouldBe(3);
        error.Endpoint.ShouldBe(new Uri("http://nimbus.test:7070"));
        error.Code.ShouldBe("ConnectionFailed");
        error.InnerException.ShouldBeOfType<HttpRequestException>();
        handler.Requests.Count.ShouldBe(3);
    }

    [Fact]
    public async Task Client_errors_are_not_retried()
    {
        var (client, handler, _) = TestClients.Create();
        handler.Fallback = _ => CannedHandler.Response(HttpStatusCode.NotFound, Canned.Problem("NotFound", "no such widget"), "application/problem+json");

        await Should.ThrowAsync<NimbusApiException>(() => client.Demo.Widgets.GetAsync("wdg-x"));

        handler.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Cancellation_stops_a_call_and_is_not_reported_as_a_connection_failure()
    {
        var (client, handler, _) = TestClients.Create();
        using var cancellation = new CancellationTokenSource();
        handler.Fallback = _ =>
        {
            cancellation.Cancel();
            throw new TaskCanceledException("cancelled", null, cancellation.Token);
        };

        await Should.ThrowAsync<OperationCanceledException>(() => client.Demo.Widgets.GetAsync("wdg-1", cancellation.Token));

        handler.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Zero_max_retries_disables_retries()
    {
        var (client, handler, _) = TestClients.Create(o => o with { MaxRetries = 0 });
        handler.Fallback = _ => CannedHandler.Response(HttpStatusCode.TooManyRequests, null, "application/json", ("Retry-After", "1"));

        var error = await Should.ThrowAsync<NimbusApiException>(() => client.Demo.Widgets.GetAsync("wdg-1"));

        error.RetryAfter.ShouldBe(TimeSpan.FromSeconds(1));
        handler.Requests.Count.ShouldBe(1);
    }
}
