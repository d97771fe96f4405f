using Nimbus.Core.Api;
using Nimbus.Core.Controllers;
using Nimbus.Core.Store;
using Nimbus.Server.Metrics;

namespace Nimbus.Server.Endpoints;

/// <summary>Health, readiness and metrics: served without authentication for probes and scrapers.</summary>
public static class PlatformEndpoints
{
    public static void MapPlatformEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new HealthAnswer("ok")))
            .Anonymous().WithTags("platform").WithSummary("Process is up.");

        app.MapGet("/readyz", async (IResourceStore store, ControllerRuntime controllers, CancellationToken ct) =>
        {
            var storeOk = await PingQuietlyAsync(store, ct).ConfigureAwait(false);
            var ready = storeOk && controllers.IsRunning;
            var answer = new ReadinessAnswer(ready ? "ready" : "not ready", storeOk, controllers.IsRunning);
            return ready ? Results.Ok(answer) : Results.Json(answer, statusCode: 503);
        }).Anonymous().WithTags("platform").WithSummary("Store open and controllers running.")
            .Produces<ReadinessAnswer>(200).Produces<ReadinessAnswer>(503);

        app.MapGet("/metrics", (NimbusMetrics metrics, Nimbus.Storage.StorageRuntime storage) => Results.Text(metrics.Render() + storage.RenderMetrics(), "text/plain; version=0.0.4; charset=utf-8"))
            .Anonymous().WithTags("platform").WithSummary("Prometheus metrics.").ExcludeFromDescription();
    }

    private static async Task<bool> PingQuietlyAsync(IResourceStore store, CancellationToken cancellationToken)
    {
        try
        {
            return await store.PingAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return false;
        }
    }

    public sealed record HealthAnswer(string Status);

    public sealed record ReadinessAnswer(string Status, bool Store, bool Controllers);
}
