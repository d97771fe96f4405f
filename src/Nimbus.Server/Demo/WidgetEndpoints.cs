using Nimbus.Contracts.Demo;
using Nimbus.Contracts.Resources;
using Nimbus.Core.Api;

namespace Nimbus.Server.Demo;

/// <summary><c>/v1/demo/widgets</c>: the built-in example kind.</summary>
public static class WidgetEndpoints
{
    public static void MapWidgetEndpoints(this IEndpointRouteBuilder app, string region)
    {
        var group = app.MapGroup("/v1/demo/widgets").WithTags("demo")
            .ProducesError(400).ProducesError(401).ProducesError(403).ProducesError(429);
        var collection = ResourceScope.Collection(WidgetService.Kind, region);
        var item = ResourceScope.Item(WidgetService.Kind, region);

        group.MapPost("", async (CreateWidgetRequest request, HttpContext http, WidgetService widgets, CancellationToken ct) =>
        {
            var created = await widgets.CreateAsync(http.Caller().Account, request, ct).ConfigureAwait(false);
            return TypedResults.Created($"/v1/demo/widgets/{created.Id}", created.ToDto());
        }).RequiresAction("demo:CreateWidget", collection).WithRequestTags().WithIdempotency().ProducesError(409).WithSummary("Create a widget.");

        group.MapGet("", async (HttpContext http, WidgetService widgets, string? name, CancellationToken ct) =>
        {
            var (pageSize, token) = Paging.Read(http.Request);
            var tags = Paging.ReadTagFilter(http.Request);
            var page = await widgets.ListAsync(http.Caller().Account, name, tags, pageSize, token, ct).ConfigureAwait(false);
            return TypedResults.Ok(new PageDto<ResourceDto> { Items = [.. page.Items.Select(ResourceMapping.ToDto)], NextToken = page.NextPageToken });
        }).RequiresAction("demo:ListWidgets", collection).WithSummary("List widgets, filtered by name and tags (tag=key=value, repeatable).");

        group.MapGet("/{id}", async (string id, HttpContext http, WidgetService widgets, ResourceWaits waits, CancellationToken ct) =>
            TypedResults.Ok((await waits.ReadAsync(http.Request, c => widgets.GetAsync(http.Caller().Account, id, c), ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction("demo:GetWidget", item).WithResourceTags().ProducesError(404).WithSummary("Get a widget.");

        group.MapPut("/{id}", async (string id, UpdateWidgetRequest request, HttpContext http, WidgetService widgets, CancellationToken ct) =>
            TypedResults.Ok((await widgets.UpdateAsync(http.Caller().Account, id, request, ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction("demo:UpdateWidget", item).WithResourceTags().WithRequestTags().ProducesError(404).ProducesError(409).WithSummary("Replace a widget's spec and tags (optimistic concurrency on version).");

        group.MapDelete("/{id}", async (string id, HttpContext http, WidgetService widgets, CancellationToken ct) =>
            TypedResults.Accepted($"/v1/demo/widgets/{id}", (await widgets.RequestDeletionAsync(http.Caller().Account, id, ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction("demo:DeleteWidget", item).WithResourceTags().ProducesError(404).WithSummary("Delete a widget: phase 'deleting', then gone.");
    }
}
