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

    /// <summary>Assumes a role: temporary credentials (sign with them and send the session token).</summary>
    /// <param name="request">Required. Role (NRN or name in your account), session name; optional duration and session policy.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The temporary credentials and when they expire.</returns>
    public Task<TemporaryCredentialsDto> AssumeRoleAsync(AssumeRoleRequest request, CancellationToken cancellationToken = default) =>
        _client.SendAsync<TemporaryCredentialsDto>(HttpMethod.Post, "/v1/sts/assume-role", request, cancellationToken: cancellationToken);

    /// <summary>Temporary credentials for yourself; with an MFA code they count as MFA-authenticated.</summary>
    /// <param name="request">Optional duration (900 to 43200 s, default 3600) and MFA code.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The temporary credentials.</returns>
    public Task<TemporaryCredentialsDto> GetSessionTokenAsync(GetSessionTokenRequest request, CancellationToken cancellationToken = default) =>
        _client.SendAsync<TemporaryCredentialsDto>(HttpMethod.Post, "/v1/sts/session-token", request, cancellationToken: cancellationToken);

    /// <summary>Revokes one set of temporary credentials of your account: requests signed with them get <c>403 ExpiredToken</c>.</summary>
    /// <param name="accessKeyId">Required. The credentials' access key id (<c>NSIA…</c>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The session, with <c>RevokedAt</c> set; revoking it again returns the same.</returns>
    public Task<SessionDto> RevokeSessionAsync(string accessKeyId, CancellationToken cancellationToken = default) =>
        _client.SendAsync<SessionDto>(HttpMethod.Post, "/v1/sts/revoke-session", new RevokeSessionRequest { AccessKeyId = accessKeyId }, cancellationToken: cancellationToken);
}
