using Nimbus.Contracts.Network;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk.Http;

namespace Nimbus.Sdk.Network;

/// <summary>
/// Network interfaces (<c>/v1/network/interfaces</c>): every instance's primary interface, and secondary interfaces
/// made in a subnet and attached to instances of the same VPC and zone, with secondary private addresses. A running
/// instance follows a change when the call returns.
/// </summary>
public sealed class NetworkInterfacesClient
{
    private const string BasePath = "/v1/network/interfaces";
    private readonly NimbusClient _client;

    internal NetworkInterfacesClient(NimbusClient client) => _client = client;

    /// <summary>Creates a secondary interface (not attached) with an address of the subnet.</summary>
    /// <param name="request">Required. The subnet; optionally the address, groups, name, description and tags.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<ResourceDto> CreateAsync(CreateNetworkInterfaceRequest request, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Post, BasePath, request, new NimbusRequestOptions { IdempotencyKey = Guid.NewGuid().ToString("N") }, cancellationToken);

    /// <summary>An interface by id (<c>eni-...</c>) or name.</summary>
    public Task<ResourceDto> GetAsync(string idOrName, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Get, ItemPath(idOrName), cancellationToken: cancellationToken);

    /// <summary>One page of the account's interfaces (primary ones included), optionally only the one named <paramref name="name"/>.</summary>
    public Task<PageDto<ResourceDto>> ListAsync(string? name = null, string? nextToken = null, CancellationToken cancellationToken = default) =>
        _client.SendAsync<PageDto<ResourceDto>>(HttpMethod.Get, new PathBuilder(BasePath).Query("name", name).Query("nextToken", nextToken).ToString(), cancellationToken: cancellationToken);

    /// <summary>Deletes a detached secondary interface; <c>DependencyViolation</c> while attached.</summary>
    public Task DeleteAsync(string idOrName, CancellationToken cancellationToken = default) =>
        _client.SendAsync(HttpMethod.Delete, ItemPath(idOrName), cancellationToken: cancellationToken);

    /// <summary>Attaches a secondary interface to an instance (running or stopped) as its next device.</summary>
    public Task<ResourceDto> AttachAsync(string idOrName, string instanceId, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Post, ItemPath(idOrName) + "/attach", new AttachNetworkInterfaceRequest { InstanceId = instanceId }, cancellationToken: cancellationToken);

    /// <summary>Detaches a secondary interface from its instance.</summary>
    public Task<ResourceDto> DetachAsync(string idOrName, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Post, ItemPath(idOrName) + "/detach", cancellationToken: cancellationToken);

    /// <summary>Assigns secondary private addresses (the given ones, or a count of the subnet's next free ones).</summary>
    public Task<ResourceDto> AssignPrivateIpAddressesAsync(string idOrName, AssignPrivateIpAddressesRequest request, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Post, ItemPath(idOrName) + "/private-ips", request, cancellationToken: cancellationToken);

    /// <summary>Gives secondary private addresses back to the subnet.</summary>
    public Task<ResourceDto> UnassignPrivateIpAddressesAsync(string idOrName, IReadOnlyList<string> addresses, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Post, ItemPath(idOrName) + "/private-ips/unassign", new UnassignPrivateIpAddressesRequest { PrivateIpAddresses = addresses }, cancellationToken: cancellationToken);

    /// <summary>Changes the interface's security groups and/or its source/destination check (<c>PATCH /v1/network/interfaces/{id}</c>).</summary>
    /// <param name="idOrName">Required. The interface's id or name.</param>
    /// <param name="request">Required. At least one attribute; what is not given stays as it is.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<ResourceDto> ModifyAsync(string idOrName, ModifyNetworkInterfaceRequest request, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Patch, ItemPath(idOrName), request, cancellationToken: cancellationToken);

    /// <summary>The interface's spec (subnet, addresses, groups, attachment).</summary>
    public static NetworkInterfaceSpec SpecOf(ResourceDto networkInterface) => ResourceSpecs.Read<NetworkInterfaceSpec>(networkInterface);

    private static string ItemPath(string idOrName) => BasePath + "/" + Uri.EscapeDataString(idOrName);
}
