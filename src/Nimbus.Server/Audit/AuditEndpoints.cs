using System.Text.Json;
using Nimbus.Contracts.Audit;
using Nimbus.Contracts.Resources;
using Nimbus.Core.Api;
using Nimbus.Core.Audit;

namespace Nimbus.Server.Audit;

/// <summary>
/// <c>/v1/audit/events</c>: read-only by construction. There is no route that modifies or deletes an
/// event, so any other method is 405.
/// </summary>
public static class AuditEndpoints
{
    public const string Kind = "audit/event";
    public const string JsonLinesContentType = "application/x-ndjson";

    private const int ExportPageSize = 1000;

    private static readonly byte[] NewLine = "\n"u8.ToArray();

    // Waiting for queued records makes answers include every request the client has had an answer to;
    // while the database is failing the writer retries, and queries answer with what is stored instead.
    private static readonly TimeSpan FlushWait = TimeSpan.FromSeconds(5);

    public static void MapAuditEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/audit").WithTags("audit")
            .ProducesError(400).ProducesError(401).ProducesError(403).ProducesError(429);

        // The account is the caller's; platform administrators see every account.
        var collection = ResourceScope.Collection(Kind, "");

        group.MapGet("/events", async (HttpContext http, AuditTrail trail, TimeProvider time, CancellationToken ct) =>
        {
            var query = ScopedQuery(http, time, paged: true);
            await FlushBrieflyAsync(trail, ct).ConfigureAwait(false);
            var page = await trail.Log.QueryAsync(query, ct).ConfigureAwait(false);
            return TypedResults.Ok(new PageDto<AuditEventDto> { Items = [.. page.Items.Select(AuditEventMapping.ToDto)], NextToken = page.NextPageToken });
        }).RequiresAction("audit:ListEvents", collection)
            .WithSummary("List audit events, newest first. Filters: since, until (ISO-8601 or relative: 30m, 1h, 7d), principal (user name or NRN), action (trailing * wildcard), resource (NRN), outcome (allowed, denied, error).");

        group.MapGet("/events:export", async (HttpContext http, AuditTrail trail, TimeProvider time, CancellationToken ct) =>
        {
            var query = ScopedQuery(http, time, paged: false) with { PageSize = ExportPageSize };
            await FlushBrieflyAsync(trail, ct).ConfigureAwait(false);
            http.Response.ContentType = JsonLinesContentType;
            var body = http.Response.Body;
            while (true)
            {
                var page = await trail.Log.QueryAsync(query, ct).ConfigureAwait(false);
                foreach (var record in page.Items)
                {
                    await body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(record.ToDto(), NimbusJson.Options), ct).ConfigureAwait(false);
                    await body.WriteAsync(NewLine, ct).ConfigureAwait(false);
                }

                await body.FlushAsync(ct).ConfigureAwait(false);
                if (page.NextPageToken is null)
                {
                    break;
                }

                query = query with { PageToken = page.NextPageToken };
            }

            return Results.Empty;
        }).RequiresAction("audit:ExportEvents", collection)
            .Produces<AuditEventDto>(200, JsonLinesContentType)
            .WithSummary("Export every matching audit event as JSON Lines (one event per line, newest first); same filters as the list.");
    }

    private static async Task FlushBrieflyAsync(AuditTrail trail, CancellationToken cancellationToken)
    {
        try
        {
            await trail.FlushAsync(cancellationToken).WaitAsync(FlushWait, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
    }

    private static AuditQuery ScopedQuery(HttpContext http, TimeProvider time, bool paged)
    {
        var caller = http.Caller();
        return AuditFilterParser.Parse(http.Request, time.GetUtcNow(), paged) with
        {
            Account = caller.IsPlatformAdministrator ? null : caller.Account,
        };
    }
}
