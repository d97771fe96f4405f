using Nimbus.Contracts.Iam;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk.Http;

namespace Nimbus.Sdk.Iam;

/// <summary>IAM roles (<c>/v1/iam/roles</c>) of the caller's account.</summary>
public sealed class RolesClient : PrincipalClient
{
    internal RolesClient(NimbusClient client)
        : base(client, "/v1/iam/roles")
    {
    }

    /// <summary>Creates a role.</summary>
    /// <param name="request">Required. Name and trust policy; optional path and maximum session duration.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new role.</returns>
    public Task<ResourceDto> CreateAsync(CreateRoleRequest request, CancellationToken cancellationToken = default) =>
        Client.SendAsync<ResourceDto>(HttpMethod.Post, BasePath, request, new NimbusRequestOptions { IdempotencyKey = Guid.NewGuid().ToString("N") }, cancellationToken);

    /// <summary>Lists one page of roles.</summary>
    /// <param name="name">Optional. Only the role of this exact name.</param>
    /// <param name="pageSize">Optional. 1 to 1000; server default 50.</param>
    /// <param name="nextToken">Optional. Token of the previous page.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One page.</returns>
    public Task<PageDto<ResourceDto>> ListAsync(string? name = null, int? pageSize = null, string? nextToken = null, CancellationToken cancellationToken = default) =>
        Client.SendAsync<PageDto<ResourceDto>>(HttpMethod.Get, new PathBuilder(BasePath).Query("name", name).Query("pageSize", pageSize).Query("nextToken", nextToken).ToString(), cancellationToken: cancellationToken);

    /// <summary>Revokes every session of a role issued until now (requests signed with them get <c>403 ExpiredToken</c>); sessions opened later work.</summary>
    /// <param name="id">Required. Role id (<c>rol-…</c>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The role; <c>spec.sessionsRevokedBefore</c> holds the moment.</returns>
    public Task<ResourceDto> RevokeSessionsAsync(string id, CancellationToken cancellationToken = default) =>
        Client.SendAsync<ResourceDto>(HttpMethod.Post, ItemPath(id) + ":revoke-sessions", cancellationToken: cancellationToken);

    /// <summary>Lists a role's active sessions (not expired, not revoked), oldest first; the latest 1000 are kept.</summary>
    /// <param name="id">Required. Role id (<c>rol-…</c>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The sessions: access key id, session name, who opened it, when it expires. Never a secret.</returns>
    public async Task<IReadOnlyList<SessionDto>> ListSessionsAsync(string id, CancellationToken cancellationToken = default) =>
        (await Client.SendAsync<PageDto<SessionDto>>(HttpMethod.Get, ItemPath(id) + "/sessions", cancellationToken: cancellationToken).ConfigureAwait(false)).Items;
}
