using System.Runtime.CompilerServices;
using Nimbus.Contracts.Demo;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk.Http;
using Nimbus.Sdk.Resources;

namespace Nimbus.Sdk.Demo;

/// <summary>Widget operations (<c>/v1/demo/widgets</c>). A widget goes <c>pending</c> → <c>ready</c> once its file exists.</summary>
public sealed class WidgetsClient
{
    /// <summary>Phase of a widget whose file has been written: <c>ready</c>.</summary>
    public const string ReadyPhase = "ready";

    private const string BasePath = "/v1/demo/widgets";
    private readonly NimbusClient _client;
    private readonly ResourceWaiter _waiter;

    internal WidgetsClient(NimbusClient client)
    {
        _client = client;
        _waiter = new ResourceWaiter(client.Options);
    }

    /// <summary>Creates a widget; it starts in phase <c>pending</c>.</summary>
    /// <param name="request">Required. Name, tags and spec.</param>
    /// <param name="idempotencyKey">Optional. Idempotency key; default a fresh random one, which makes the call safe to retry.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new widget.</returns>
    public Task<ResourceDto> CreateAsync(CreateWidgetRequest request, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _client.SendAsync<ResourceDto>(
            HttpMethod.Post,
            BasePath,
            request,
            new NimbusRequestOptions { IdempotencyKey = idempotencyKey ?? Guid.NewGuid().ToString("N") },
            cancellationToken);
    }

    /// <summary>Reads one widget.</summary>
    /// <param name="id">Required. Widget id, e.g. <c>wdg-7f3k2m9q0c1d</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The widget.</returns>
    public Task<ResourceDto> GetAsync(string id, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Get, WidgetPath(id), cancellationToken: cancellationToken);

    /// <summary>Lists one page of widgets.</summary>
    /// <param name="name">Optional. Only the widget of this exact name; default all.</param>
    /// <param name="tags">Optional. Only widgets carrying every one of these tags; default all.</param>
    /// <param name="pageSize">Optional. Maximum items in the page; default chosen by the server.</param>
    /// <param name="nextToken">Optional. Token of the page to read; default the first page.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One page; its <c>NextToken</c> is null on the last page.</returns>
    public Task<PageDto<ResourceDto>> ListAsync(
        string? name = null, IReadOnlyDictionary<string, string>? tags = null, int? pageSize = null, string? nextToken = null, CancellationToken cancellationToken = default)
    {
        var path = new PathBuilder(BasePath).Query("name", name).Tags(tags).Query("pageSize", pageSize).Query("nextToken", nextToken);
        return _client.SendAsync<PageDto<ResourceDto>>(HttpMethod.Get, path.ToString(), cancellationToken: cancellationToken);
    }

    /// <summary>Lists every widget matching the filters, reading page after page.</summary>
    /// <param name="name">Optional. Only the widget of this exact name; default all.</param>
    /// <param name="tags">Optional. Only widgets carrying every one of these tags; default all.</param>
    /// <param name="pageSize">Optional. Items per request; default chosen by the server.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>All matching widgets, in the server's order.</returns>
    public async IAsyncEnumerable<ResourceDto> ListAllAsync(
        string? name = null, IReadOnlyDictionary<string, string>? tags = null, int? pageSize = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? token = null;
        do
        {
            var page = await ListAsync(name, tags, pageSize, token, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Items)
            {
                yield return item;
            }

            token = page.NextToken;
        }
        while (token is not null);
    }

    /// <summary>Replaces a widget's spec (and tags, when given). Fails with 409 <c>VersionConflict</c> if <c>Version</c> is stale.</summary>
    /// <param name="id">Required. Widget id.</param>
    /// <param name="request">Required. The version read, the new spec and optional tags.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The updated widget (version incremented, phase usually <c>pending</c> again).</returns>
    public Task<ResourceDto> UpdateAsync(string id, UpdateWidgetRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _client.SendAsync<ResourceDto>(HttpMethod.Put, WidgetPath(id), request, cancellationToken: cancellationToken);
    }

    /// <summary>Starts deleting a widget (202): it goes to phase <c>deleting</c>, then reads answer 404.</summary>
    /// <param name="id">Required. Widget id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task completing when the server accepted the deletion.</returns>
    public Task DeleteAsync(string id, CancellationToken cancellationToken = default) =>
        _client.SendAsync(HttpMethod.Delete, WidgetPath(id), cancellationToken: cancellationToken);

    /// <summary>Polls a widget until it reaches <paramref name="phase"/>.</summary>
    /// <param name="id">Required. Widget id.</param>
    /// <param name="phase">Required. Phase to wait for, e.g. <see cref="ReadyPhase"/>; compared case-insensitively.</param>
    /// <param name="timeout">Required. How long to wait at most.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The widget as read in that phase.</returns>
    /// <exception cref="NimbusWaitException">The timeout passed, or the widget became <c>failed</c>.</exception>
    /// <exception cref="NimbusApiException">A read failed, e.g. 404 because the widget was deleted meanwhile.</exception>
    public Task<ResourceDto> WaitForPhaseAsync(string id, string phase, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _waiter.WaitForPhaseAsync((query, ct) => _client.SendAsync<ResourceDto>(HttpMethod.Get, WidgetPath(id) + query, cancellationToken: ct), id, phase, timeout, minObservedVersion: 0, cancellationToken);

    /// <summary>
    /// Polls a widget until it reaches <paramref name="phase"/> in a status that reflects at least version
    /// <paramref name="minObservedVersion"/>: after an update, a <c>ready</c> that predates the change is not enough.
    /// </summary>
    /// <param name="id">Required. Widget id.</param>
    /// <param name="phase">Required. Phase to wait for, e.g. <see cref="ReadyPhase"/>; compared case-insensitively.</param>
    /// <param name="timeout">Required. How long to wait at most.</param>
    /// <param name="minObservedVersion">Required. Lowest <c>status.observedVersion</c> accepted, e.g. the version an update returned.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The widget as read in that phase.</returns>
    /// <exception cref="NimbusWaitException">The timeout passed, or the widget became <c>failed</c>.</exception>
    /// <exception cref="NimbusApiException">A read failed, e.g. 404 because the widget was deleted meanwhile.</exception>
    public Task<ResourceDto> WaitForPhaseAsync(string id, string phase, TimeSpan timeout, long minObservedVersion, CancellationToken cancellationToken = default) =>
        _waiter.WaitForPhaseAsync((query, ct) => _client.SendAsync<ResourceDto>(HttpMethod.Get, WidgetPath(id) + query, cancellationToken: ct), id, phase, timeout, minObservedVersion, cancellationToken);

    /// <summary>Polls a widget until reads of it answer 404.</summary>
    /// <param name="id">Required. Widget id.</param>
    /// <param name="timeout">Required. How long to wait at most.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task completing once the widget is gone.</returns>
    /// <exception cref="NimbusWaitException">The widget still existed when the timeout passed.</exception>
    public Task WaitForDeletedAsync(string id, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _waiter.WaitForDeletedAsync(ct => GetAsync(id, ct), id, timeout, cancellationToken);

    private static string WidgetPath(string id) => BasePath + "/" + PathBuilder.Segment(id);
}
