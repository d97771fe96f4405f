using Nimbus.Contracts.Iam;

namespace Nimbus.Sdk.Sts;

/// <summary>Security token service operations (<c>/v1/sts</c>).</summary>
public sealed class StsClient
{
    private readonly NimbusClient _client;

    internal StsClient(NimbusClient client)
    {
        _client = client;
    }

    /// <summary>Returns who the credentials authenticate as (<c>GET /v1/sts/caller-identity</c>).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Account, principal, user and access key of the caller.</returns>
    public Task<CallerIdentityDto> GetCallerIdentityAsync(CancellationToken cancellationToken = default) =>
        _client.SendAsync<CallerIdentityDto>(HttpMethod.Get, "/v1/sts/caller-identity", cancellationToken: cancellationToken);
}
