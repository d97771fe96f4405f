using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Nimbus.Compute.Images;
using Nimbus.Contracts.Compute;
using Nimbus.Contracts.Resources;
using Nimbus.Core.Api;
using Nimbus.Iam.Accounts;

namespace Nimbus.Compute.Api;

/// <summary><c>/v1/compute/images</c>: list, get, import, build, create from an instance, share, deprecate, delete.</summary>
public static class ImageEndpoints
{
    public static void MapImageEndpoints(this IEndpointRouteBuilder app, string region)
    {
        var options = app.ServiceProvider.GetRequiredService<ComputeOptions>();
        var group = app.MapGroup("/v1/compute/images").WithTags("compute")
            .ProducesError(400).ProducesError(401).ProducesError(403).ProducesError(429);
        var collection = ResourceScope.Collection(ComputeKinds.Image, region);
        var item = ResourceScope.Item(ComputeKinds.Image, region);

        group.MapGet("", async (HttpContext http, ImageService images, PlatformAccount platform, CancellationToken ct) =>
        {
            var all = await images.ListAsync(http.Caller().Account, platform.AccountId, ct).ConfigureAwait(false);
            return TypedResults.Ok(new PageDto<ResourceDto> { Items = [.. all.Select(ResourceMapping.ToDto)] });
        }).RequiresAction(ComputeActions.ListImages, collection).WithSummary("List the account's images, the public ones (busybox) and those shared with it.");

        group.MapGet("/{id}", async (string id, HttpContext http, ImageService images, PlatformAccount platform, ResourceWaits waits, CancellationToken ct) =>
            TypedResults.Ok((await waits.ReadAsync(http.Request, c => images.GetAsync(http.Caller().Account, platform.AccountId, id, c), ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction(ComputeActions.GetImage, item).ProducesError(404)
            .WithSummary("Get an image by id or name; with wait=N (and untilPhase=...), answer once its phase is one of those (long poll).");

        group.MapPost("/import", async (HttpContext http, ImageService images, string? name, string? description, CancellationToken ct) =>
        {
            var image = await images.ImportAsync(http.Caller().Account, name, description, http.Request.Body, ct).ConfigureAwait(false);
            return TypedResults.Created($"/v1/compute/images/{image.Id}", image.ToDto());
        }).RequiresAction(ComputeActions.ImportImage, collection).AcceptsStreamedBody(options.MaxImageUploadBytes)
            .ProducesError(409).ProducesError(413)
            .WithSummary("Import an image: the body is a rootfs tarball (tar, tar.gz) or an OCI image archive, signed with its SHA-256; ?name=N&description=D.");

        group.MapPost("/import-object", async (ImportImageFromObjectRequest request, HttpContext http, ImageService images, CancellationToken ct) =>
        {
            var image = await images.ImportFromObjectAsync(http.Caller(), request, ct).ConfigureAwait(false);
            return TypedResults.Created($"/v1/compute/images/{image.Id}", image.ToDto());
        }).RequiresAction(ComputeActions.ImportImage, collection).ProducesError(404).ProducesError(409).ProducesError(413)
            .WithSummary("Import an image from an object of Nimbus object storage (bucket, key, optional versionId); the caller also needs s3:GetObject on it.");

        group.MapPost("/build", async (BuildImageRequest request, HttpContext http, ImageService images, CancellationToken ct) =>
        {
            var image = await images.BuildAsync(http.Caller().Account, request, ct).ConfigureAwait(false);
            return TypedResults.Created($"/v1/compute/images/{image.Id}", image.ToDto());
        }).RequiresAction(ComputeActions.BuildImage, collection).ProducesError(409).WithSummary("Build an image on the node from a recipe (debian-12: debootstrap); minutes, progress in status.message.");

        group.MapPost("/from-instance", async (CreateImageFromInstanceRequest request, HttpContext http, ImageService images, CancellationToken ct) =>
        {
            var image = await images.CreateFromInstanceAsync(http.Caller().Account, request, ct).ConfigureAwait(false);
            return TypedResults.Created($"/v1/compute/images/{image.Id}", image.ToDto());
        }).RequiresAction(ComputeActions.CreateImage, collection).ProducesError(404).ProducesError(409)
            .WithSummary("Make an image of a stopped instance: its disk on its image, flattened.");

        group.MapPost("/{id}/share", async (string id, ShareImageRequest request, HttpContext http, ImageService images, PlatformAccount platform, CancellationToken ct) =>
            TypedResults.Ok((await images.ShareAsync(http.Caller().Account, platform.AccountId, id, request, share: true, ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction(ComputeActions.ShareImage, item).ProducesError(404).WithSummary("Share an image with other accounts: they may list, get and run it.");

        group.MapPost("/{id}/unshare", async (string id, ShareImageRequest request, HttpContext http, ImageService images, PlatformAccount platform, CancellationToken ct) =>
            TypedResults.Ok((await images.ShareAsync(http.Caller().Account, platform.AccountId, id, request, share: false, ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction(ComputeActions.UnshareImage, item).ProducesError(404).WithSummary("Stop sharing an image with accounts (their running instances keep running).");

        group.MapPost("/{id}/deprecate", async (string id, DeprecateImageRequest request, HttpContext http, ImageService images, PlatformAccount platform, CancellationToken ct) =>
            TypedResults.Ok((await images.DeprecateAsync(http.Caller().Account, platform.AccountId, id, request, ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction(ComputeActions.DeprecateImage, item).ProducesError(404).WithSummary("Deprecate an image: it still runs, new runs answer a warning naming the replacement.");

        group.MapPost("/{id}/undeprecate", async (string id, HttpContext http, ImageService images, PlatformAccount platform, CancellationToken ct) =>
            TypedResults.Ok((await images.UndeprecateAsync(http.Caller().Account, platform.AccountId, id, ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction(ComputeActions.DeprecateImage, item).ProducesError(404).WithSummary("Take back the deprecation of an image.");

        group.MapDelete("/{id}", async (string id, HttpContext http, ImageService images, PlatformAccount platform, CancellationToken ct) =>
            TypedResults.Accepted($"/v1/compute/images/{id}", (await images.DeleteAsync(http.Caller().Account, platform.AccountId, id, ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction(ComputeActions.DeleteImage, item).ProducesError(404).ProducesError(409)
            .WithSummary("Delete an image (refused with DependencyViolation while instances that are not terminated use it).");
    }
}
