using Nimbus.Contracts.Network;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk.Http;

namespace Nimbus.Sdk.Network;

/// <summary>Subnets (<c>/v1/network/subnets</c>): ranges of a VPC in a zone, with their address usage.</summary>
public sealed class SubnetsClient
{
    private const string BasePath = "/v1/network/subnets";
    private readonly NimbusClient _client;

    internal SubnetsClient(NimbusClient client)
    {
        _client = client;
    }

    /// <summary>Creates a subnet.</summary>
    /// <param name="request">Required. VPC, range (inside the VPC's), optional zone, name and tags.</param>
    /// <param name="idempotencyKey">Optional. Idempotency key; default a fresh random one, which makes the call safe to retry.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The subnet, in phase <c>available</c>.</returns>
    public Task<ResourceDto> CreateAsync(CreateSubnetRequest request, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _client.SendAsync<ResourceDto>(HttpMethod.Post, BasePath, request, new NimbusRequestOptions { IdempotencyKey = idempotencyKey ?? Guid.NewGuid().ToString("N") }, cancellationToken);
    }

    /// <summary>Reads one subnet with its usage (<see cref="DetailsOf"/>).</summary>
    /// <param name="id">Required. Subnet id (<c>subnet-...</c>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The subnet.</returns>
    public Task<ResourceDto> GetAsync(string id, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Get, BasePath + "/" + PathBuilder.Segment(id), cancellationToken: cancellationToken);

    /// <summary>Lists one page of the account's subnets.</summary>
    /// <param name="vpcId">Optional. Only the subnets of this VPC.</param>
    /// <param name="name">Optional. Only the subnet of this exact name.</param>
    /// <param name="pageSize">Optional. Maximum items in the page; default chosen by the server.</param>
    /// <param name="nextToken">Optional. Token of the page to read; default the first page.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One page; its <c>NextToken</c> is null on the last page.</returns>
    public Task<PageDto<ResourceDto>> ListAsync(string? vpcId = null, string? name = null, int? pageSize = null, string? nextToken = null, CancellationToken cancellationToken = default) =>
        _client.SendAsync<PageDto<ResourceDto>>(
            HttpMethod.Get,
            new PathBuilder(BasePath).Query("vpcId", vpcId).Query("name", name).Query("pageSize", pageSize).Query("nextToken", nextToken).ToString(),
            cancellationToken: cancellationToken);

    /// <summary>Who holds each address of the subnet.</summary>
    /// <param name="id">Required. Subnet id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The held addresses, in address order.</returns>
    public Task<SubnetAddressesDto> AddressesAsync(string id, CancellationToken cancellationToken = default) =>
        _client.SendAsync<SubnetAddressesDto>(HttpMethod.Get, BasePath + "/" + PathBuilder.Segment(id) + "/addresses", cancellationToken: cancellationToken);

    /// <summary>Deletes a subnet no interface uses (<c>DependencyViolation</c> otherwise).</summary>
    /// <param name="id">Required. Subnet id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the subnet is gone.</returns>
    public Task DeleteAsync(string id, CancellationToken cancellationToken = default) =>
        _client.SendAsync(HttpMethod.Delete, BasePath + "/" + PathBuilder.Segment(id), cancellationToken: cancellationToken);

    /// <summary>The subnet's spec (VPC, range, zone).</summary>
    /// <param name="subnet">Required. A subnet as the API returns it.</param>
    /// <returns>The spec.</returns>
    public static SubnetSpec SpecOf(ResourceDto subnet) => ResourceSpecs.Read<SubnetSpec>(subnet);

    /// <summary>The subnet's gateway and address usage.</summary>
    /// <param name="subnet">Required. A subnet as the API returns it.</param>
    /// <returns>The details; null when the answer carried none.</returns>
    public static SubnetDetailsDto? DetailsOf(ResourceDto subnet)
    {
        ArgumentNullException.ThrowIfNull(subnet);
        return subnet.Status.Details is { ValueKind: System.Text.Json.JsonValueKind.Object } details
            ? System.Text.Json.JsonSerializer.Deserialize<SubnetDetailsDto>(details, Json.NimbusJson.Options)
            : null;
    }
}
