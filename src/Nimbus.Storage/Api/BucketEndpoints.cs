using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Resources;
using Nimbus.Contracts.Storage;
using Nimbus.Core.Api;
using Nimbus.Core.Errors;
using Nimbus.Storage.Buckets;
using Nimbus.Storage.Engine;

namespace Nimbus.Storage.Api;

/// <summary>
/// <c>/v1/storage/buckets</c>: buckets as platform resources (the same service the S3 door uses), so quotas,
/// the audit trail, the CLI and the console see them. Authorized with the S3 actions on <c>nrn:nimbus:s3:::name</c>.
/// </summary>
public static class BucketEndpoints
{
    public static void MapStorageEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/storage/buckets").WithTags("storage")
            .ProducesError(400).ProducesError(401).ProducesError(403).ProducesError(429);

        group.MapPost("", async (CreateBucketRequest request, HttpContext http, BucketService buckets, CancellationToken ct) =>
        {
            var created = await Rest(() => buckets.CreateAsync(http.Caller().Account, request.Name, request.Tags, ct)).ConfigureAwait(false);
            return TypedResults.Created($"/v1/storage/buckets/{created.Name}", buckets.WithUsage(created).ToDto());
        }).RequiresAction("s3:CreateBucket", (http, _) => [BucketService.ArnPrefix + NameInBody(http)]).WithIdempotency().ProducesError(409)
            .WithSummary("Create a bucket (S3 naming rules; names are unique across the platform).");

        group.MapGet("", async (HttpContext http, BucketService buckets, CancellationToken ct) =>
        {
            var all = await buckets.ListAsync(http.Caller().Account, ct).ConfigureAwait(false);
            return TypedResults.Ok(new PageDto<ResourceDto> { Items = [.. all.Select(b => buckets.WithUsage(b).ToDto())] });
        }).RequiresAction("s3:ListAllMyBuckets", (_, _) => [BucketService.ArnPrefix + "*"]).WithSummary("List the account's buckets with their usage.");

        group.MapGet("/{name}", async (string name, HttpContext http, BucketService buckets, CancellationToken ct) =>
        {
            var resource = await Rest(async () => await buckets.GetResourceAsync(await buckets.GetOwnedAsync(http.Caller().Account, name, ct).ConfigureAwait(false), ct).ConfigureAwait(false)).ConfigureAwait(false);
            return TypedResults.Ok(buckets.WithUsage(resource).ToDto());
        }).RequiresAction("s3:ListBucket", (http, _) => [BucketService.ArnPrefix + http.Request.RouteValues["name"]]).ProducesError(404).WithSummary("Get a bucket with its usage (objects, bytes).");

        group.MapDelete("/{name}", async (string name, HttpContext http, BucketService buckets, CancellationToken ct) =>
        {
            await Rest(async () =>
            {
                await buckets.DeleteAsync(http.Caller().Account, name, ct).ConfigureAwait(false);
                return true;
            }).ConfigureAwait(false);
            return TypedResults.NoContent();
        }).RequiresAction("s3:DeleteBucket", (http, _) => [BucketService.ArnPrefix + http.Request.RouteValues["name"]]).ProducesError(404).ProducesError(409)
            .WithSummary("Delete an empty bucket (409 BucketNotEmpty otherwise).");

        var scrubber = app.MapGroup("/v1/storage/scrubber").WithTags("storage").ProducesError(401).ProducesError(403);
        scrubber.MapGet("", (HttpContext http, StorageRuntime runtime) =>
        {
            RequireAdministrator(http, "s3:GetScrubStatus");
            return TypedResults.Ok(runtime.LastScrub);
        }).RequiresAction("s3:GetScrubStatus", ResourceScope.None).WithSummary("The last scrub of stored data (platform administrators).");
        scrubber.MapPost("/run", async (HttpContext http, StorageRuntime runtime, CancellationToken ct) =>
        {
            RequireAdministrator(http, "s3:StartScrub");
            return TypedResults.Ok(await runtime.ScrubAsync(ct).ConfigureAwait(false));
        }).RequiresAction("s3:StartScrub", ResourceScope.None).WithSummary("Verify every stored object now and report (platform administrators).");
    }

    private static void RequireAdministrator(HttpContext http, string action)
    {
        if (!http.Caller().IsPlatformAdministrator)
        {
            throw NimbusException.AccessDenied($"Only platform administrators may perform {action}.");
        }
    }

    /// <summary>The bucket name of a create request, read from the buffered body for authorization; <c>*</c> when unreadable (the handler then reports the error).</summary>
    private static string NameInBody(HttpContext http)
    {
        try
        {
            using var document = JsonDocument.Parse(http.BufferedBody());
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String
                ? name.GetString()!
                : "*";
        }
        catch (JsonException)
        {
            return "*";
        }
    }

    /// <summary>S3's codes of the shared bucket service, as the REST API's stable codes.</summary>
    private static async Task<T> Rest<T>(Func<Task<T>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (NimbusException ex) when (ex.Code is "NoSuchBucket" or "BucketNotEmpty" or "BucketAlreadyExists" or "BucketAlreadyOwnedByYou" or "InvalidBucketName")
        {
            throw ex.Code switch
            {
                "NoSuchBucket" => new NimbusException(ErrorCodes.NotFound, 404, ex.Message),
                "BucketNotEmpty" => new NimbusException(ErrorCodes.Conflict, 409, ex.Message),
                "InvalidBucketName" => NimbusException.Invalid("name", ex.Message),
                _ => new NimbusException(ErrorCodes.AlreadyExists, 409, ex.Message),
            };
        }
    }
}
