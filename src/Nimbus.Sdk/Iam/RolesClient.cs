using Nimbus.Contracts.Iam;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk.Http;

namespace Nimbus.Sdk.Iam;

/// <summary>IAM roles (<c>/v1/iam/roles</c>) of the caller's account.</summary>
public sealed class RolesClient
{
    private const string BasePath = "/v1/iam/roles";
    private readonly NimbusClient _client;

    internal RolesClient(NimbusClient client)
    {
        _client = client;
    }

    /// <summary>Creates a role.</summary>
    /// <param name="request">Required. Name and trust policy; optional path and maximum session duration.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new role.</returns>
    public Task<ResourceDto> CreateAsync(CreateRoleRequest request, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Post, BasePath, request, new NimbusRequestOptions { IdempotencyKey = Guid.NewGuid().ToString("N") }, cancellationToken);

    /// <summary>Reads one role by id.</summary>
    /// <param name="id">Required. Role id (<c>rol-…</c>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The role.</returns>
    public Task<ResourceDto> GetAsync(string id, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Get, BasePath + "/" + PathBuilder.Segment(id), cancellationToken: cancellationToken);

    /// <summary>Finds a role by exact name; null when there is none.</summary>
    /// <param name="name">Required. Role name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The role, or null.</returns>
    public async Task<ResourceDto?> FindByNameAsync(string name, CancellationToken cancellationToken = default) =>
        (await ListAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false)).Items.FirstOrDefault();

    /// <summary>Lists one page of roles.</summary>
    /// <param name="name">Optional. Only the role of this exact name.</param>
    /// <param name="pageSize">Optional. 1 to 1000; server default 50.</param>
    /// <param name="nextToken">Optional. Token of the previous page.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One page.</returns>
    public Task<PageDto<ResourceDto>> ListAsync(string? name = null, int? pageSize = null, string? nextToken = null, CancellationToken cancellationToken = default) =>
        _client.SendAsync<PageDto<ResourceDto>>(HttpMethod.Get, new PathBuilder(BasePath).Query("name", name).Query("pageSize", pageSize).Query("nextToken", nextToken).ToString(), cancellationToken: cancellationToken);

    /// <summary>Attaches a managed policy (built-in name, policy name or id) to a role.</summary>
    /// <param name="id">Required. Role id.</param>
    /// <param name="policy">Required. Policy reference.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The role.</returns>
    public Task<ResourceDto> AttachPolicyAsync(string id, string policy, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Post, BasePath + "/" + PathBuilder.Segment(id) + ":attach-policy", new PolicyAttachmentRequest { Policy = policy }, cancellationToken: cancellationToken);

    /// <summary>Detaches a managed policy from a role.</summary>
    /// <param name="id">Required. Role id.</param>
    /// <param name="policy">Required. Policy reference.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The role.</returns>
    public Task<ResourceDto> DetachPolicyAsync(string id, string policy, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Post, BasePath + "/" + PathBuilder.Segment(id) + ":detach-policy", new PolicyAttachmentRequest { Policy = policy }, cancellationToken: cancellationToken);

    /// <summary>Deletes a role; its sessions stop working.</summary>
    /// <param name="id">Required. Role id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the role is gone.</returns>
    public Task DeleteAsync(string id, CancellationToken cancellationToken = default) =>
        _client.SendAsync(HttpMethod.Delete, BasePath + "/" + PathBuilder.Segment(id), cancellationToken: cancellationToken);

    /// <summary>Puts (creates or replaces) an inline policy of a role; it counts with the role's managed policies.</summary>
    /// <param name="id">Required. Role id (<c>rol-…</c>).</param>
    /// <param name="name">Required. Policy name, 1 to 128 of letters, digits and <c>+=,.@_-</c>; at most 10 per role.</param>
    /// <param name="document">Required. The policy document as JSON text; refused with line and column when malformed.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The role; its <c>spec.inlinePolicies</c> holds the documents.</returns>
    public Task<ResourceDto> PutPolicyAsync(string id, string name, string document, CancellationToken cancellationToken = default) =>
        InlinePolicyCalls.PutAsync(_client, BasePath, id, name, document, cancellationToken);

    /// <summary>Reads one inline policy of a role, exactly as it was put.</summary>
    /// <param name="id">Required. Role id (<c>rol-…</c>).</param>
    /// <param name="name">Required. Policy name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The name and the document.</returns>
    public Task<InlinePolicyDto> GetPolicyAsync(string id, string name, CancellationToken cancellationToken = default) =>
        InlinePolicyCalls.GetAsync(_client, BasePath, id, name, cancellationToken);

    /// <summary>Lists the inline policies of a role, by name.</summary>
    /// <param name="id">Required. Role id (<c>rol-…</c>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Every inline policy (at most 10) with its document.</returns>
    public Task<IReadOnlyList<InlinePolicyDto>> ListPoliciesAsync(string id, CancellationToken cancellationToken = default) =>
        InlinePolicyCalls.ListAsync(_client, BasePath, id, cancellationToken);

    /// <summary>Deletes an inline policy of a role.</summary>
    /// <param name="id">Required. Role id (<c>rol-…</c>).</param>
    /// <param name="name">Required. Policy name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The role without the policy.</returns>
    public Task<ResourceDto> DeletePolicyAsync(string id, string name, CancellationToken cancellationToken = default) =>
        InlinePolicyCalls.DeleteAsync(_client, BasePath, id, name, cancellationToken);

    /// <summary>Revokes every session of a role issued until now (requests signed with them get <c>403 ExpiredToken</c>); sessions opened later work.</summary>
    /// <param name="id">Required. Role id (<c>rol-…</c>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The role; <c>spec.sessionsRevokedBefore</c> holds the moment.</returns>
    public Task<ResourceDto> RevokeSessionsAsync(string id, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Post, BasePath + "/" + PathBuilder.Segment(id) + ":revoke-sessions", cancellationToken: cancellationToken);

    /// <summary>Lists a role's active sessions (not expired, not revoked), oldest first; the latest 1000 are kept.</summary>
    /// <param name="id">Required. Role id (<c>rol-…</c>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The sessions: access key id, session name, who opened it, when it expires. Never a secret.</returns>
    public async Task<IReadOnlyList<SessionDto>> ListSessionsAsync(string id, CancellationToken cancellationToken = default) =>
        (await _client.SendAsync<PageDto<SessionDto>>(HttpMethod.Get, BasePath + "/" + PathBuilder.Segment(id) + "/sessions", cancellationToken: cancellationToken).ConfigureAwait(false)).Items;
}
