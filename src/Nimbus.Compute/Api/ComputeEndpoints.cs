using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Nimbus.Compute.Garbage;
using Nimbus.Compute.Images;
using Nimbus.Compute.Instances;
using Nimbus.Compute.InstanceTypes;
using Nimbus.Contracts.Compute;
using Nimbus.Contracts.Resources;
using Nimbus.Core.Api;
using Nimbus.Iam.Accounts;

namespace Nimbus.Compute.Api;

/// <summary><c>/v1/compute</c>: instance types, images and instances.</summary>
public static class ComputeEndpoints
{
    public static void MapComputeEndpoints(this IEndpointRouteBuilder app, string region)
    {
        var types = app.MapGroup("/v1/compute/instance-types").WithTags("compute")
            .ProducesError(401).ProducesError(403).ProducesError(429);
        types.MapGet("", (InstanceTypeCatalog catalog) => TypedResults.Ok(new PageDto<InstanceTypeDto> { Items = catalog.Types }))
            .RequiresAction(ComputeActions.ListInstanceTypes, ResourceScope.None).WithSummary("List the instance types: vCPUs, memory, process limit, bandwidth class.");

        app.MapImageEndpoints(region);
        MapInstances(app, region);

        var garbage = app.MapGroup("/v1/compute/garbage").WithTags("compute").ProducesError(401).ProducesError(403).ProducesError(429);
        garbage.MapGet("", (HttpContext http, GarbageCheck check) =>
        {
            RequireAdministrator(http, ComputeActions.GetGarbageReport);
            return TypedResults.Ok(check.LastReport);
        }).RequiresAction(ComputeActions.GetGarbageReport, ResourceScope.None).WithSummary("The last garbage check of the node: leaked containers, mounts, cgroups, directories (platform administrators).");
        garbage.MapPost("/run", async (HttpContext http, GarbageCheck check, CancellationToken ct) =>
        {
            RequireAdministrator(http, ComputeActions.RunGarbageCheck);
            return TypedResults.Ok(await check.RunAsync(ct).ConfigureAwait(false));
        }).RequiresAction(ComputeActions.RunGarbageCheck, ResourceScope.None).WithSummary("Check the node for leaks now and report (platform administrators).");
    }

    private static void RequireAdministrator(HttpContext http, string action)
    {
        if (!http.Caller().IsPlatformAdministrator)
        {
            throw Core.Errors.NimbusException.AccessDenied($"Only platform administrators may perform {action}.");
        }
    }

    private static void MapInstances(IEndpointRouteBuilder app, string region)
    {
        var group = app.MapGroup("/v1/compute/instances").WithTags("compute")
            .ProducesError(400).ProducesError(401).ProducesError(403).ProducesError(429);
        var collection = ResourceScope.Collection(ComputeKinds.Instance, region);
        var item = ResourceScope.Item(ComputeKinds.Instance, region);

        group.MapPost("", async (RunInstancesRequest request, HttpContext http, InstanceService instances, ImageService images, PlatformAccount platform, CancellationToken ct) =>
        {
            var created = await instances.RunAsync(http.Caller(), platform.AccountId, request, ct).ConfigureAwait(false);
            var image = await images.FindAsync(http.Caller().Account, platform.AccountId, InstanceService.SpecOf(created[0]).ImageId, ct).ConfigureAwait(false);
            var warning = image is null ? null : ImageService.DeprecationWarning(image);
            return TypedResults.Created(
                $"/v1/compute/instances/{created[0].Id}",
                new RunInstancesResponse { Instances = [.. created.Select(ResourceMapping.ToDto)], Warnings = warning is null ? null : [warning] });
        }).RequiresAction(ComputeActions.RunInstances, collection).WithIdempotency().ProducesError(409)
            .WithSummary("Run instances from an image: all of count or none (quota, capacity).");

        group.MapGet("", async (HttpContext http, InstanceService instances, string? name, CancellationToken ct) =>
        {
            var (pageSize, token) = Paging.Read(http.Request);
            var tags = Paging.ReadTagFilter(http.Request);
            var page = await instances.ListAsync(http.Caller().Account, name, tags, pageSize, token, ct).ConfigureAwait(false);
            return TypedResults.Ok(new PageDto<ResourceDto> { Items = [.. page.Items.Select(ResourceMapping.ToDto)], NextToken = page.NextPageToken });
        }).RequiresAction(ComputeActions.ListInstances, collection).WithSummary("List instances, filtered by name and tags (tag=key=value, repeatable).");

        group.MapGet("/{id}", async (string id, HttpContext http, InstanceService instances, ResourceWaits waits, CancellationToken ct) =>
            TypedResults.Ok((await waits.ReadAsync(http.Request, c => instances.GetAsync(http.Caller().Account, id, c), ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction(ComputeActions.GetInstance, item).ProducesError(404)
            .WithSummary("Get an instance; with wait=N (and untilPhase=...), answer once its phase is one of those (long poll).");

        group.MapPost("/{id}/stop", async (string id, HttpContext http, InstanceService instances, bool? force, CancellationToken ct) =>
            TypedResults.Accepted($"/v1/compute/instances/{id}", (await instances.StopAsync(http.Caller().Account, id, force ?? false, ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction(ComputeActions.StopInstances, item).ProducesError(404).ProducesError(409)
            .WithSummary("Stop an instance: SIGTERM, SIGKILL after the grace period (force=true: SIGKILL at once). Its disk is kept.");

        group.MapPost("/{id}/start", async (string id, HttpContext http, InstanceService instances, CancellationToken ct) =>
            TypedResults.Accepted($"/v1/compute/instances/{id}", (await instances.StartAsync(http.Caller().Account, id, ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction(ComputeActions.StartInstances, item).ProducesError(404).ProducesError(409).WithSummary("Start a stopped or failed instance.");

        group.MapPost("/{id}/reboot", async (string id, HttpContext http, InstanceService instances, CancellationToken ct) =>
            TypedResults.Accepted($"/v1/compute/instances/{id}", (await instances.RebootAsync(http.Caller().Account, id, ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction(ComputeActions.RebootInstances, item).ProducesError(404).ProducesError(409).WithSummary("Reboot a running instance.");

        group.MapPost("/{id}/terminate", async (string id, HttpContext http, InstanceService instances, CancellationToken ct) =>
            TypedResults.Accepted($"/v1/compute/instances/{id}", (await instances.TerminateAsync(http.Caller().Account, id, ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction(ComputeActions.TerminateInstances, item).ProducesError(404).ProducesError(409)
            .WithSummary("Terminate an instance: it stops and everything it had on its node is removed.");

        group.MapPost("/{id}/modify", async (string id, ModifyInstanceRequest request, HttpContext http, InstanceService instances, CancellationToken ct) =>
            TypedResults.Ok((await instances.ModifyAsync(http.Caller().Account, id, request, ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction(ComputeActions.ModifyInstance, item).ProducesError(404).ProducesError(409)
            .WithSummary("Change the instance type (while stopped) or deletion protection.");

        group.MapGet("/{id}/stats", async (string id, HttpContext http, InstanceService instances, CancellationToken ct) =>
            TypedResults.Ok(await instances.StatsAsync(http.Caller().Account, id, ct).ConfigureAwait(false)))
            .RequiresAction(ComputeActions.GetInstanceStats, item).ProducesError(404).ProducesError(409)
            .WithSummary("Counters of a running instance: CPU, memory, processes, block I/O (cgroups) and network (its namespace).");

        group.MapGet("/{id}/exec", (string id, HttpContext http, Exec.ExecService exec, CancellationToken ct) => exec.RunAsync(http, id, ct))
            .RequiresAction(ComputeActions.ExecInstance, item).ProducesError(404).ProducesError(409)
            .WithSummary("Run a command in a running instance over a WebSocket (upgrade this GET): command=argv (repeated), tty, stdin, rows, cols. Frames: see docs/compute.md.");

        group.MapGet("/{id}/console", async (string id, HttpContext http, InstanceService instances, CancellationToken ct) =>
        {
            var (offset, limit) = ReadConsoleQuery(http.Request);
            return TypedResults.Ok(await instances.ReadConsoleAsync(http.Caller().Account, id, offset, limit, ct).ConfigureAwait(false));
        }).RequiresAction(ComputeActions.GetConsoleOutput, item).ProducesError(404)
            .WithSummary("Read the console output (stdout and stderr) from a byte offset (negative: from that many bytes before the end).");
    }

    private static (long Offset, int Limit) ReadConsoleQuery(HttpRequest request)
    {
        var errors = new FieldErrors();
        long offset = 0;
        var limit = 64 * 1024;
        var rawOffset = request.Query["offset"].ToString();
        if (rawOffset.Length > 0 && !long.TryParse(rawOffset, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out offset))
        {
            errors.Add("offset", "must be a whole number of bytes");
        }

        var rawLimit = request.Query["limit"].ToString();
        if (rawLimit.Length > 0 && (!int.TryParse(rawLimit, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out limit) || limit is < 1 or > InstanceService.MaxConsoleChunk))
        {
            errors.Add("limit", $"must be a whole number from 1 to {InstanceService.MaxConsoleChunk}");
        }

        errors.ThrowIfAny();
        return (offset, limit);
    }
}
