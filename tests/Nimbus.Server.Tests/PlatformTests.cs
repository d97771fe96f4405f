using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Nimbus.Core.Api;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Server.Tests;

public sealed class PlatformTests : IAsyncLifetime
{
    private NimbusServer _server = null!;

    public async Task InitializeAsync() => _server = await NimbusServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Health_and_readiness_answer_without_credentials()
    {
        using var client = _server.AnonymousHttpClient();
        (await client.GetAsync("/healthz")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var ready = await client.GetAsync("/readyz");
        ready.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ready.Content.ReadAsStringAsync()).ShouldContain("\"store\":true");
    }

    [Fact]
    public async Task Metrics_count_requests_by_route_and_status_and_time_the_store()
    {
        using var signed = _server.SignedHttpClient();
        (await signed.GetAsync("/v1/demo/widgets")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await signed.GetAsync("/v1/demo/widgets/wdg-doesnotexist")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        using var client = _server.AnonymousHttpClient();
        var response = await client.GetAsync("/metrics");
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
        var text = await response.Content.ReadAsStringAsync();
        text.ShouldContain("nimbus_http_requests_total{method=\"GET\",route=\"/v1/demo/widgets\",status=\"200\"} 1", customMessage: text);
        text.ShouldContain("nimbus_http_requests_total{method=\"GET\",route=\"/v1/demo/widgets/{id}\",status=\"404\"} 1");
        text.ShouldContain("nimbus_http_request_duration_seconds_bucket{method=\"GET\",route=\"/v1/demo/widgets\",le=\"+Inf\"} 1");
        text.ShouldContain("nimbus_store_operation_duration_seconds_count{operation=\"list\"}");
    }

    [Fact]
    public async Task OpenApi_document_describes_endpoints_with_schemas_and_errors()
    {
        using var client = _server.AnonymousHttpClient();
        var response = await client.GetAsync("/openapi/v1.json");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var paths = document.RootElement.GetProperty("paths");
        paths.TryGetProperty("/v1/demo/widgets", out var widgets).ShouldBeTrue();
        paths.TryGetProperty("/v1/iam/access-keys/{id}", out _).ShouldBeTrue();
        paths.TryGetProperty("/v1/sts/caller-identity", out _).ShouldBeTrue();
        var post = widgets.GetProperty("post");
        post.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _).ShouldBeTrue();
        post.GetProperty("responses").TryGetProperty("201", out _).ShouldBeTrue();
        post.GetProperty("responses").GetProperty("400").GetProperty("content").TryGetProperty("application/problem+json", out _).ShouldBeTrue();
        var schemas = document.RootElement.GetProperty("components").GetProperty("schemas");
        schemas.TryGetProperty("CreateWidgetRequest", out _).ShouldBeTrue();
        schemas.TryGetProperty("ProblemDto", out _).ShouldBeTrue();
        schemas.TryGetProperty("ResourceDto", out _).ShouldBeTrue();
    }

    [Fact]
    public void Every_endpoint_declares_an_authorization_rule_or_is_explicitly_anonymous()
    {
        var sources = _server.Host.Services.GetServices<EndpointDataSource>();
        var endpoints = sources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>().ToList();
        endpoints.Count.ShouldBeGreaterThan(10);
        var undeclared = endpoints
            .Where(e => e.Metadata.GetMetadata<ActionMetadata>() is null && e.Metadata.GetMetadata<AnonymousEndpointMetadata>() is null)
            .Select(e => e.RoutePattern.RawText)
            .ToList();
        undeclared.ShouldBeEmpty();
        var anonymous = endpoints.Where(e => e.Metadata.GetMetadata<AnonymousEndpointMetadata>() is not null).Select(e => e.RoutePattern.RawText).ToHashSet();
        anonymous.ShouldBe(["/healthz", "/readyz", "/metrics", "/openapi/{documentName}.json", "/v1/sts/sessions:login", "/v1/sts/sessions:logout"], ignoreOrder: true);
        foreach (var endpoint in endpoints.Where(e => e.RoutePattern.RawText!.StartsWith("/v1/", StringComparison.Ordinal) && e.Metadata.GetMetadata<AnonymousEndpointMetadata>() is null))
        {
            endpoint.Metadata.GetMetadata<ActionMetadata>()!.Action.ShouldMatch("^[a-z0-9]+:[A-Z][A-Za-z]+$");
        }
    }

    [Fact]
    public void Secrets_on_disk_are_readable_by_the_owner_only()
    {
        var owner = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        File.GetUnixFileMode(_server.Host.CredentialsPath).ShouldBe(owner);
        File.GetUnixFileMode(Path.Combine(_server.DataDirectory, "master.key")).ShouldBe(owner);
        File.GetUnixFileMode(_server.DataDirectory).ShouldBe(owner | UnixFileMode.UserExecute);
        var credentials = File.ReadAllText(_server.Host.CredentialsPath);
        foreach (var field in new[] { "endpoint", "accessKeyId", "secretAccessKey", "region" })
        {
            credentials.ShouldContain($"\"{field}\"");
        }

        // The store holds the secret only encrypted.
        var database = File.ReadAllBytes(Path.Combine(_server.DataDirectory, "nimbus.db"));
        System.Text.Encoding.Latin1.GetString(database).ShouldNotContain(_server.Admin.SecretAccessKey);
    }
}
