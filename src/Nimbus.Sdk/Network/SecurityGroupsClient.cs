using Nimbus.Contracts.Network;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk.Http;

namespace Nimbus.Sdk.Network;

/// <summary>
/// Security groups (<c>/v1/network/security-groups</c>): stateful ingress and egress rules for the interfaces of
/// their member instances. Changes are in force on running instances when a call returns.
/// </summary>
public sealed class SecurityGroupsClient
{
    private const string BasePath = "/v1/network/security-groups";
    private readonly NimbusClient _client;

    internal SecurityGroupsClient(NimbusClient client) => _client = client;

    /// <summary>Creates a group (ingress denied, egress allowed, its members talking to each other).</summary>
    /// <param name="request">Required. Name, and optionally description, VPC and tags.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<ResourceDto> CreateAsync(CreateSecurityGroupRequest request, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Post, BasePath, request, new NimbusRequestOptions { IdempotencyKey = Guid.NewGuid().ToString("N") }, cancellationToken);

    /// <summary>A group by id (<c>sg-...</c>) or name (<c>default</c> is every account's default group).</summary>
    public Task<ResourceDto> GetAsync(string idOrName, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Get, ItemPath(idOrName), cancellationToken: cancellationToken);

    /// <summary>One page of the account's groups, optionally only the one named <paramref name="name"/>.</summary>
    public Task<PageDto<ResourceDto>> ListAsync(string? name = null, string? nextToken = null, CancellationToken cancellationToken = default) =>
        _client.SendAsync<PageDto<ResourceDto>>(HttpMethod.Get, new PathBuilder(BasePath).Query("name", name).Query("nextToken", nextToken).ToString(), cancellationToken: cancellationToken);

    /// <summary>Deletes a group; <c>DependencyViolation</c> while instances or other groups' rules use it.</summary>
    public Task DeleteAsync(string idOrName, CancellationToken cancellationToken = default) =>
        _client.SendAsync(HttpMethod.Delete, ItemPath(idOrName), cancellationToken: cancellationToken);

    /// <summary>Adds a rule; <paramref name="direction"/> is <c>ingress</c> or <c>egress</c> (<see cref="SecurityGroupDirections"/>). Returns the group with its rules.</summary>
    public Task<ResourceDto> AuthorizeAsync(string idOrName, string direction, SecurityGroupRuleRequest rule, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Post, ItemPath(idOrName) + "/" + Direction(direction), rule, cancellationToken: cancellationToken);

    /// <summary>Removes a rule by id. Returns the group with its remaining rules.</summary>
    public Task<ResourceDto> RevokeAsync(string idOrName, string direction, string ruleId, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Delete, ItemPath(idOrName) + "/" + Direction(direction) + "/" + Uri.EscapeDataString(ruleId), cancellationToken: cancellationToken);

    /// <summary>Replaces an instance's groups (1 to 5), also while it runs.</summary>
    public Task<ResourceDto> SetInstanceGroupsAsync(string instanceId, IReadOnlyList<string> groupIds, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(
            HttpMethod.Post, "/v1/compute/instances/" + Uri.EscapeDataString(instanceId) + "/security-groups",
            new SetInstanceSecurityGroupsRequest { SecurityGroupIds = groupIds }, cancellationToken: cancellationToken);

    /// <summary>The group's spec (VPC, description, rules).</summary>
    public static SecurityGroupSpec SpecOf(ResourceDto group) => ResourceSpecs.Read<SecurityGroupSpec>(group);

    private static string ItemPath(string idOrName) => BasePath + "/" + Uri.EscapeDataString(idOrName);

    private static string Direction(string direction) =>
        direction is SecurityGroupDirections.Ingress or SecurityGroupDirections.Egress ? direction : throw new ArgumentException("must be ingress or egress", nameof(direction));
}
