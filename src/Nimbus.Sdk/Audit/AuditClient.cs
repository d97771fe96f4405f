using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Nimbus.Contracts.Audit;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk.Http;
using Nimbus.Sdk.Json;

namespace Nimbus.Sdk.Audit;

/// <summary>The audit trail (<c>/v1/audit</c>): every API request, allowed or denied. Read-only.</summary>
public sealed class AuditClient
{
    private const string EventsPath = "/v1/audit/events";
    private readonly NimbusClient _client;

    internal AuditClient(NimbusClient client)
    {
        _client = client;
    }

    /// <summary>Lists one page of audit events, newest first. Callers outside the platform account see only their account's events.</summary>
    /// <param name="filter">Optional. Which events; default all.</param>
    /// <param name="pageSize">Optional. Maximum events in the page, 1 to 1000; default 50.</param>
    /// <param name="nextToken">Optional. Token of the page to read, from a previous page's <c>NextToken</c>; default the first page.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One page; its <c>NextToken</c> is null on the last page.</returns>
    public Task<PageDto<AuditEventDto>> ListEventsAsync(AuditEventFilter? filter = null, int? pageSize = null, string? nextToken = null, CancellationToken cancellationToken = default)
    {
        var path = WithFilter(new PathBuilder(EventsPath), filter).Query("pageSize", pageSize).Query("nextToken", nextToken);
        return _client.SendAsync<PageDto<AuditEventDto>>(HttpMethod.Get, path.ToString(), cancellationToken: cancellationToken);
    }

    /// <summary>Lists every matching audit event, reading page after page.</summary>
    /// <param name="filter">Optional. Which events; default all.</param>
    /// <param name="pageSize">Optional. Events per request; default 50.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>All matching events, newest first.</returns>
    public async IAsyncEnumerable<AuditEventDto> ListAllEventsAsync(AuditEventFilter? filter = null, int? pageSize = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? token = null;
        do
        {
            var page = await ListEventsAsync(filter, pageSize, token, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Items)
            {
                yield return item;
            }

            token = page.NextToken;
        }
        while (token is not null);
    }

    /// <summary>
    /// Exports every matching event in one request (<c>GET /v1/audit/events:export</c>, JSON Lines). The answer is
    /// read whole before the first event is returned.
    /// </summary>
    /// <param name="filter">Optional. Which events; default all.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The events, newest first.</returns>
    public async IAsyncEnumerable<AuditEventDto> ExportAsync(AuditEventFilter? filter = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await ExportRawAsync(filter, cancellationToken).ConfigureAwait(false);
        var text = Encoding.UTF8.GetString(response.Span);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            yield return JsonSerializer.Deserialize<AuditEventDto>(line, NimbusJson.Options)
                ?? throw new JsonException("The export answered a line that is not an audit event.");
        }
    }

    /// <summary>Exports every matching event as the server's JSON Lines bytes (one event per line, newest first).</summary>
    /// <param name="filter">Optional. Which events; default all.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The JSON Lines body.</returns>
    public async Task<ReadOnlyMemory<byte>> ExportRawAsync(AuditEventFilter? filter = null, CancellationToken cancellationToken = default)
    {
        var path = WithFilter(new PathBuilder(EventsPath + ":export"), filter);
        var response = await _client.SendAsync(HttpMethod.Get, path.ToString(), cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.Body;
    }

    private static PathBuilder WithFilter(PathBuilder path, AuditEventFilter? filter) =>
        filter is null
            ? path
            : path.Query("since", filter.Since).Query("until", filter.Until).Query("principal", filter.Principal)
                .Query("action", filter.Action).Query("resource", filter.Resource).Query("outcome", filter.Outcome);
}
