using Nimbus.Contracts.Network;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk.Http;

namespace Nimbus.Sdk.Network;

/// <summary>
/// Elastic IPs (<c>/v1/network/eips</c>): addresses of the installation's host-side pool, mapped to an instance's
/// private IP (DNAT to it, SNAT of its traffic). Changes are in force when a call returns.
/// </summary>
public sealed class ElasticIpsClient
{
    /// <summary>Phase of an elastic IP that is not associated.</summary>
    public const string AvailablePhase = "available";

    /// <summary>Phase of an associated elastic IP.</summary>
    public const string AssociatedPhase = "associated";

    private const string BasePath = "/v1/network/eips";
    private readonly NimbusClient _client;

    internal ElasticIpsClient(NimbusClient client) => _client = client;

    /// <summary>Allocates the next free address of the pool.</summary>
    /// <param name="request">Optional. Name and tags; default none (the name is the id).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The elastic IP, phase <c>available</c>; <see cref="SpecOf"/> gives its address.</returns>
    public Task<ResourceDto> AllocateAsync(AllocateAddressRequest? request = null, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Post, BasePath, request ?? new AllocateAddressRequest(), new NimbusRequestOptions { IdempotencyKey = Guid.NewGuid().ToString("N") }, cancellationToken);

    /// <summary>An elastic IP by id (<c>eipalloc-...</c>), name or address.</summary>
    public Task<ResourceDto> GetAsync(string reference, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Get, ItemPath(reference), cancellationToken: cancellationToken);

    /// <summary>One page of the account's elastic IPs, optionally only the one named <paramref name="name"/>.</summary>
    public Task<PageDto<ResourceDto>> ListAsync(string? name = null, string? nextToken = null, CancellationToken cancellationToken = default) =>
        _client.SendAsync<PageDto<ResourceDto>>(HttpMethod.Get, new PathBuilder(BasePath).Query("name", name).Query("nextToken", nextToken).ToString(), cancellationToken: cancellationToken);

    /// <summary>Maps the elastic IP to an instance's primary private IP or an interface's (<c>Conflict</c> when it is associated elsewhere, unless reassociation is allowed).</summary>
    public Task<ResourceDto> AssociateAsync(string reference, AssociateAddressRequest request, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Post, ItemPath(reference) + "/associate", request, cancellationToken: cancellationToken);

    /// <summary>Removes the elastic IP's mapping; it stays allocated.</summary>
    public Task<ResourceDto> DisassociateAsync(string reference, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Post, ItemPath(reference) + "/disassociate", cancellationToken: cancellationToken);

    /// <summary>Gives the address back to the pool; <c>DependencyViolation</c> while it is associated.</summary>
    public Task ReleaseAsync(string reference, CancellationToken cancellationToken = default) =>
        _client.SendAsync(HttpMethod.Delete, ItemPath(reference), cancellationToken: cancellationToken);

    /// <summary>The elastic IP's spec: its address and, while associated, its target.</summary>
    public static ElasticIpSpec SpecOf(ResourceDto eip) => ResourceSpecs.Read<ElasticIpSpec>(eip);

    private static string ItemPath(string reference) => BasePath + "/" + PathBuilder.Segment(reference);
}
