using Nimbus.Contracts.Quotas;
using Nimbus.Sdk.Http;

namespace Nimbus.Sdk.Quotas;

/// <summary>Quota limits and usage (<c>/v1/quotas</c>).</summary>
public sealed class QuotasClient
{
    private const string BasePath = "/v1/quotas";
    private readonly NimbusClient _client;

    internal QuotasClient(NimbusClient client)
    {
        _client = client;
    }

    /// <summary>Lists every quota of an account: limit in force, default and usage.</summary>
    /// <param name="account">Optional. Account id; default the caller's account. Another account needs a platform administrator.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The quotas, ordered by code.</returns>
    public Task<QuotaListDto> ListAsync(string? account = null, CancellationToken cancellationToken = default) =>
        _client.SendAsync<QuotaListDto>(HttpMethod.Get, new PathBuilder(BasePath).Query("account", account).ToString(), cancellationToken: cancellationToken);

    /// <summary>Sets an account's limit of one quota. Platform administrators only (403 <c>AccessDenied</c> otherwise).</summary>
    /// <param name="code">Required. Quota code, e.g. <c>demo.widgets</c>.</param>
    /// <param name="limit">Required. The new limit, 0 or more, in the quota's unit. Below usage it blocks new creates and removes nothing.</param>
    /// <param name="account">Optional. Account id; default the caller's account.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The quota with its new limit.</returns>
    public Task<QuotaDto> SetAsync(string code, long limit, string? account = null, CancellationToken cancellationToken = default) =>
        _client.SendAsync<QuotaDto>(HttpMethod.Put, BasePath + "/" + PathBuilder.Segment(code), new SetQuotaRequest { Account = account, Limit = limit }, cancellationToken: cancellationToken);
}
