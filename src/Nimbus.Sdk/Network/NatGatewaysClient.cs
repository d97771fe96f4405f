using Nimbus.Contracts.Network;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk.Http;

namespace Nimbus.Sdk.Network;

/// <summary>
/// NAT gateways (<c>/v1/network/nat-gateways</c>): a subnet's gateway holding an elastic IP; subnets whose route table
/// routes to it reach the host's networks, translated to the elastic IP. Changes are in force when a call returns.
/// </summary>
public sealed class NatGatewaysClient
{
    /// <summary>Phase of a NAT gateway ready to translate.</summary>
    public const string AvailablePhase = "available";

    private const string BasePath = "/v1/network/nat-gateways";
    private readonly NimbusClient _client;

    internal NatGatewaysClient(NimbusClient client) => _client = client;

    /// <summary>Creates a NAT gateway in a subnet with an unassociated elastic IP of the account.</summary>
    public Task<ResourceDto> CreateAsync(CreateNatGatewayRequest request, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Post, BasePath, request, new NimbusRequestOptions { IdempotencyKey = Guid.NewGuid().ToString("N") }, cancellationToken);

    /// <summary>A NAT gateway by id (<c>ngw-...</c>) or name.</summary>
    public Task<ResourceDto> GetAsync(string reference, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Get, ItemPath(reference), cancellationToken: cancellationToken);

    /// <summary>One page of the account's NAT gateways, optionally only the one named <paramref name="name"/>.</summary>
    public Task<PageDto<ResourceDto>> ListAsync(string? name = null, string? nextToken = null, CancellationToken cancellationToken = default) =>
        _client.SendAsync<PageDto<ResourceDto>>(HttpMethod.Get, new PathBuilder(BasePath).Query("name", name).Query("nextToken", nextToken).ToString(), cancellationToken: cancellationToken);

    /// <summary>Deletes the gateway (its elastic IP becomes available); <c>DependencyViolation</c> while a route table routes to it.</summary>
    public Task DeleteAsync(string reference, CancellationToken cancellationToken = default) =>
        _client.SendAsync(HttpMethod.Delete, ItemPath(reference), cancellationToken: cancellationToken);

    /// <summary>
    /// Forwards a tcp or udp port of the gateway's elastic IP to a private address and port of its VPC (in force when
    /// the call returns). 409 <c>Conflict</c> when the port is already forwarded, <c>LimitExceeded</c> past 50 a gateway;
    /// 400 <c>InvalidParameter</c> for a private address in no subnet of the gateway's VPC.
    /// </summary>
    public Task<NatPortForward> AddPortForwardAsync(string gateway, CreatePortForwardRequest request, CancellationToken cancellationToken = default) =>
        _client.SendAsync<NatPortForward>(HttpMethod.Post, ItemPath(gateway) + "/port-forwards", request, cancellationToken: cancellationToken);

    /// <summary>The gateway's port forwards, in the order they were added (one page: a gateway has at most 50).</summary>
    public Task<PageDto<NatPortForward>> ListPortForwardsAsync(string gateway, CancellationToken cancellationToken = default) =>
        _client.SendAsync<PageDto<NatPortForward>>(HttpMethod.Get, ItemPath(gateway) + "/port-forwards", cancellationToken: cancellationToken);

    /// <summary>Removes a port forward by id (<c>pf-...</c>) or name; new connections to its port are no longer forwarded.</summary>
    public Task RemovePortForwardAsync(string gateway, string forward, CancellationToken cancellationToken = default) =>
        _client.SendAsync(HttpMethod.Delete, ItemPath(gateway) + "/port-forwards/" + PathBuilder.Segment(forward), cancellationToken: cancellationToken);

    /// <summary>The gateway's spec: subnet, VPC and elastic IP.</summary>
    public static NatGatewaySpec SpecOf(ResourceDto gateway) => ResourceSpecs.Read<NatGatewaySpec>(gateway);

    private static string ItemPath(string reference) => BasePath + "/" + PathBuilder.Segment(reference);
}
