using Nimbus.Contracts.Iam;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk.Http;

namespace Nimbus.Sdk.Iam;

/// <summary>Accounts (<c>/v1/iam/accounts</c>): created by platform administrators.</summary>
public sealed class AccountsClient
{
    private const string BasePath = "/v1/iam/accounts";
    private readonly NimbusClient _client;

    internal AccountsClient(NimbusClient client)
    {
        _client = client;
    }

    /// <summary>Creates an account with a <c>root</c> user; the answer holds its first access key's secret, shown only once.</summary>
    /// <param name="name">Required. Account name, unique on the platform.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The account and the root access key.</returns>
    public Task<CreateAccountResponse> CreateAsync(string name, CancellationToken cancellationToken = default) =>
        _client.SendAsync<CreateAccountResponse>(HttpMethod.Post, BasePath, new CreateAccountRequest { Name = name }, new NimbusRequestOptions { IdempotencyKey = Guid.NewGuid().ToString("N") }, cancellationToken);

    /// <summary>Reads one account.</summary>
    /// <param name="id">Required. 12-digit account id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The account.</returns>
    public Task<ResourceDto> GetAsync(string id, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Get, BasePath + "/" + PathBuilder.Segment(id), cancellationToken: cancellationToken);

    /// <summary>Lists accounts: every account for platform administrators, the caller's own otherwise.</summary>
    /// <param name="pageSize">Optional. 1 to 1000; server default 50.</param>
    /// <param name="nextToken">Optional. Token of the previous page.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One page.</returns>
    public Task<PageDto<ResourceDto>> ListAsync(int? pageSize = null, string? nextToken = null, CancellationToken cancellationToken = default) =>
        _client.SendAsync<PageDto<ResourceDto>>(HttpMethod.Get, new PathBuilder(BasePath).Query("pageSize", pageSize).Query("nextToken", nextToken).ToString(), cancellationToken: cancellationToken);
}
