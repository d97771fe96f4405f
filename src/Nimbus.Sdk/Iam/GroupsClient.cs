using Nimbus.Contracts.Iam;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk.Http;

namespace Nimbus.Sdk.Iam;

/// <summary>IAM groups (<c>/v1/iam/groups</c>) of the caller's account.</summary>
public sealed class GroupsClient : PrincipalClient
{
    internal GroupsClient(NimbusClient client)
        : base(client, "/v1/iam/groups")
    {
    }

    /// <summary>Creates a group.</summary>
    /// <param name="request">Required. Name and optional path.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new group.</returns>
    public Task<ResourceDto> CreateAsync(CreateGroupRequest request, CancellationToken cancellationToken = default) =>
        Client.SendAsync<ResourceDto>(HttpMethod.Post, BasePath, request, new NimbusRequestOptions { IdempotencyKey = Guid.NewGuid().ToString("N") }, cancellationToken);

    /// <summary>Lists one page of groups.</summary>
    /// <param name="name">Optional. Only the group of this exact name.</param>
    /// <param name="pageSize">Optional. 1 to 1000; server default 50.</param>
    /// <param name="nextToken">Optional. Token of the previous page.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One page.</returns>
    public Task<PageDto<ResourceDto>> ListAsync(string? name = null, int? pageSize = null, string? nextToken = null, CancellationToken cancellationToken = default) =>
        Client.SendAsync<PageDto<ResourceDto>>(HttpMethod.Get, new PathBuilder(BasePath).Query("name", name).Query("pageSize", pageSize).Query("nextToken", nextToken).ToString(), cancellationToken: cancellationToken);

    /// <summary>Adds a user to a group.</summary>
    /// <param name="id">Required. Group id.</param>
    /// <param name="userName">Required. User name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The group.</returns>
    public Task<ResourceDto> AddUserAsync(string id, string userName, CancellationToken cancellationToken = default) =>
        Client.SendAsync<ResourceDto>(HttpMethod.Post, ItemPath(id) + ":add-user", new GroupMemberRequest { UserName = userName }, cancellationToken: cancellationToken);

    /// <summary>Removes a user from a group.</summary>
    /// <param name="id">Required. Group id.</param>
    /// <param name="userName">Required. User name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The group.</returns>
    public Task<ResourceDto> RemoveUserAsync(string id, string userName, CancellationToken cancellationToken = default) =>
        Client.SendAsync<ResourceDto>(HttpMethod.Post, ItemPath(id) + ":remove-user", new GroupMemberRequest { UserName = userName }, cancellationToken: cancellationToken);
}
