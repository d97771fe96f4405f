using Nimbus.Contracts.Network;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk.Http;

namespace Nimbus.Sdk.Network;

/// <summary>
/// VPC peering connections (<c>/v1/network/peerings</c>): requested by one VPC's owner, accepted or rejected by the
/// other's (the same account or another), deleted by either.
/// </summary>
public sealed class PeeringsClient
{
    /// <summary>Phase of a request the accepter has not answered.</summary>
    public const string PendingPhase = "pending-acceptance";

    /// <summary>Phase of an accepted peering.</summary>
    public const string ActivePhase = "active";

    /// <summary>Phase of a rejected request.</summary>
    public const string RejectedPhase = "rejected";

    private const string BasePath = "/v1/network/peerings";
    private readonly NimbusClient _client;

    internal PeeringsClient(NimbusClient client) => _client = client;

    /// <summary>Requests a peering of one of the caller's VPCs with another VPC.</summary>
    public Task<ResourceDto> CreateAsync(CreatePeeringRequest request, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Post, BasePath, request, new NimbusRequestOptions { IdempotencyKey = Guid.NewGuid().ToString("N") }, cancellationToken);

    /// <summary>A peering the caller's account is a side of.</summary>
    public Task<ResourceDto> GetAsync(string id, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Get, ItemPath(id), cancellationToken: cancellationToken);

    /// <summary>The peerings the caller's account requested or is asked to accept.</summary>
    public Task<PageDto<ResourceDto>> ListAsync(CancellationToken cancellationToken = default) =>
        _client.SendAsync<PageDto<ResourceDto>>(HttpMethod.Get, BasePath, cancellationToken: cancellationToken);

    /// <summary>Accepts a pending request (the accepter's account only).</summary>
    public Task<ResourceDto> AcceptAsync(string id, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Post, ItemPath(id) + "/accept", cancellationToken: cancellationToken);

    /// <summary>Rejects a pending request (the accepter's account only).</summary>
    public Task<ResourceDto> RejectAsync(string id, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Post, ItemPath(id) + "/reject", cancellationToken: cancellationToken);

    /// <summary>Deletes a peering (either side).</summary>
    public Task DeleteAsync(string id, CancellationToken cancellationToken = default) =>
        _client.SendAsync(HttpMethod.Delete, ItemPath(id), cancellationToken: cancellationToken);

    /// <summary>The peering's spec: both VPCs, their accounts and ranges.</summary>
    public static PeeringSpec SpecOf(ResourceDto peering) => ResourceSpecs.Read<PeeringSpec>(peering);

    private static string ItemPath(string id) => BasePath + "/" + PathBuilder.Segment(id);
}
