using Nimbus.Contracts.Iam;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk.Http;

namespace Nimbus.Sdk.Iam;

/// <summary>IAM groups (<c>/v1/iam/groups</c>) of the caller's account.</summary>
public sealed class GroupsClient
{
    private const string BasePath = "/v1/iam/groups";
    private readonly NimbusClient _client;

    internal GroupsClient(NimbusClient client)
    {
        _client = client;
    }

    /// <summary>Creates a group.</summary>
    /// <param name="request">Required. Name and optional path.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new group.</returns>
    public Task<ResourceDto> CreateAsync(CreateGroupRequest request, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Post, BasePath, request, new NimbusRequestOptions { IdempotencyKey = Guid.NewGuid().ToString("N") }, cancellationToken);

    /// <summary>Reads one group by id.</summary>
    /// <param name="id">Required. Group id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The group; its <c>spec.members</c> lists member user ids.</returns>
    public Task<ResourceDto> GetAsync(string id, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Get, BasePath + "/" + PathBuilder.Segment(id), cancellationToken: cancellationToken);

    /// <summary>Finds a group by exact name; null when there is none.</summary>
    /// <param name="name">Required. Group name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The group, or null.</returns>
    public async Task<ResourceDto?> FindByNameAsync(string name, CancellationToken cancellationToken = default) =>
        (await ListAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false)).Items.FirstOrDefault();

    /// <summary>Lists one page of groups.</summary>
    /// <param name="name">Optional. Only the group of this exact name.</param>
    /// <param name="pageSize">Optional. 1 to 1000; server default 50.</param>
    /// <param name="nextToken">Optional. Token of the previous page.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One page.</returns>
    public Task<PageDto<ResourceDto>> ListAsync(string? name = null, int? pageSize = null, string? nextToken = null, CancellationToken cancellationToken = default) =>
        _client.SendAsync<PageDto<ResourceDto>>(HttpMethod.Get, new PathBuilder(BasePath).Query("name", name).Query("pageSize", pageSize).Query("nextToken", nextToken).ToString(), cancellationToken: cancellationToken);

    /// <summary>Adds a user to a group.</summary>
    /// <param name="id">Required. Group id.</param>
    /// <param name="userName">Required. User name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The group.</returns>
    public Task<ResourceDto> AddUserAsync(string id, string userName, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Post, BasePath + "/" + PathBuilder.Segment(id) + ":add-user", new GroupMemberRequest { UserName = userName }, cancellationToken: cancellationToken);

    /// <summary>Removes a user from a group.</summary>
    /// <param name="id">Required. Group id.</param>
    /// <param name="userName">Required. User name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The group.</returns>
    public Task<ResourceDto> RemoveUserAsync(string id, string userName, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Post, BasePath + "/" + PathBuilder.Segment(id) + ":remove-user", new GroupMemberRequest { UserName = userName }, cancellationToken: cancellationToken);

    /// <summary>Attaches a managed policy to a group; attaching one already attached changes nothing.</summary>
    /// <param name="id">Required. Group id.</param>
    /// <param name="policy">Required. A built-in policy name (e.g. <c>ReadOnlyAccess</c>), a policy name of the account, or a policy id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The group; its <c>spec.attachedPolicies</c> lists what is attached.</returns>
    public Task<ResourceDto> AttachPolicyAsync(string id, string policy, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Post, BasePath + "/" + PathBuilder.Segment(id) + ":attach-policy", new PolicyAttachmentRequest { Policy = policy }, cancellationToken: cancellationToken);

    /// <summary>Detaches a managed policy from a group.</summary>
    /// <param name="id">Required. Group id.</param>
    /// <param name="policy">Required. A built-in policy name, a policy name of the account, or a policy id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The group.</returns>
    public Task<ResourceDto> DetachPolicyAsync(string id, string policy, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Post, BasePath + "/" + PathBuilder.Segment(id) + ":detach-policy", new PolicyAttachmentRequest { Policy = policy }, cancellationToken: cancellationToken);

    /// <summary>Deletes an empty group.</summary>
    /// <param name="id">Required. Group id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the group is gone.</returns>
    public Task DeleteAsync(string id, CancellationToken cancellationToken = default) =>
        _client.SendAsync(HttpMethod.Delete, BasePath + "/" + PathBuilder.Segment(id), cancellationToken: cancellationToken);

    /// <summary>Puts (creates or replaces) an inline policy of a group; it counts with the group's managed policies.</summary>
    /// <param name="id">Required. Group id.</param>
    /// <param name="name">Required. Policy name, 1 to 128 of letters, digits and <c>+=,.@_-</c>; at most 10 per group.</param>
    /// <param name="document">Required. The policy document as JSON text; refused with line and column when malformed.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The group; its <c>spec.inlinePolicies</c> holds the documents.</returns>
    public Task<ResourceDto> PutPolicyAsync(string id, string name, string document, CancellationToken cancellationToken = default) =>
        InlinePolicyCalls.PutAsync(_client, BasePath, id, name, document, cancellationToken);

    /// <summary>Reads one inline policy of a group, exactly as it was put.</summary>
    /// <param name="id">Required. Group id.</param>
    /// <param name="name">Required. Policy name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The name and the document.</returns>
    public Task<InlinePolicyDto> GetPolicyAsync(string id, string name, CancellationToken cancellationToken = default) =>
        InlinePolicyCalls.GetAsync(_client, BasePath, id, name, cancellationToken);

    /// <summary>Lists the inline policies of a group, by name.</summary>
    /// <param name="id">Required. Group id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Every inline policy (at most 10) with its document.</returns>
    public Task<IReadOnlyList<InlinePolicyDto>> ListPoliciesAsync(string id, CancellationToken cancellationToken = default) =>
        InlinePolicyCalls.ListAsync(_client, BasePath, id, cancellationToken);

    /// <summary>Deletes an inline policy of a group.</summary>
    /// <param name="id">Required. Group id.</param>
    /// <param name="name">Required. Policy name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The group without the policy.</returns>
    public Task<ResourceDto> DeletePolicyAsync(string id, string name, CancellationToken cancellationToken = default) =>
        InlinePolicyCalls.DeleteAsync(_client, BasePath, id, name, cancellationToken);
}
