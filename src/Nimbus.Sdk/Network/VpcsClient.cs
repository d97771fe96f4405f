using Nimbus.Contracts.Network;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk.Http;

namespace Nimbus.Sdk.Network;

/// <summary>VPCs (<c>/v1/network/vpcs</c>). A request may name the account's default VPC as <c>default</c>.</summary>
public sealed class VpcsClient
{
    private const string BasePath = "/v1/network/vpcs";
    private readonly NimbusClient _client;

    internal VpcsClient(NimbusClient client)
    {
        _client = client;
    }

    /// <summary>Creates a VPC.</summary>
    /// <param name="request">Required. Name and range (e.g. <c>10.10.0.0/16</c>), optional tags.</param>
    /// <param name="idempotencyKey">Optional. Idempotency key; default a fresh random one, which makes the call safe to retry.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The VPC, in phase <c>available</c>.</returns>
    public Task<ResourceDto> CreateAsync(CreateVpcRequest request, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _client.SendAsync<ResourceDto>(HttpMethod.Post, BasePath, request, new NimbusRequestOptions { IdempotencyKey = idempotencyKey ?? Guid.NewGuid().ToString("N") }, cancellationToken);
    }

    /// <summary>Reads one VPC.</summary>
    /// <param name="id">Required. VPC id (<c>vpc-...</c>) or <c>default</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The VPC; its spec is a <see cref="VpcSpec"/>.</returns>
    public Task<ResourceDto> GetAsync(string id, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Get, BasePath + "/" + PathBuilder.Segment(id), cancellationToken: cancellationToken);

    /// <summary>Lists one page of the account's VPCs (the default VPC is made on first use).</summary>
    /// <param name="name">Optional. Only the VPC of this exact name.</param>
    /// <param name="pageSize">Optional. Maximum items in the page; default chosen by the server.</param>
    /// <param name="nextToken">Optional. Token of the page to read; default the first page.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One page; its <c>NextToken</c> is null on the last page.</returns>
    public Task<PageDto<ResourceDto>> ListAsync(string? name = null, int? pageSize = null, string? nextToken = null, CancellationToken cancellationToken = default) =>
        _client.SendAsync<PageDto<ResourceDto>>(
            HttpMethod.Get, new PathBuilder(BasePath).Query("name", name).Query("pageSize", pageSize).Query("nextToken", nextToken).ToString(), cancellationToken: cancellationToken);

    /// <summary>Deletes a VPC without subnets (<c>DependencyViolation</c> otherwise).</summary>
    /// <param name="id">Required. VPC id or <c>default</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the VPC is gone.</returns>
    public Task DeleteAsync(string id, CancellationToken cancellationToken = default) =>
        _client.SendAsync(HttpMethod.Delete, BasePath + "/" + PathBuilder.Segment(id), cancellationToken: cancellationToken);

    /// <summary>The VPC's spec (range, default or not).</summary>
    /// <param name="vpc">Required. A VPC as the API returns it.</param>
    /// <returns>The spec.</returns>
    public static VpcSpec SpecOf(ResourceDto vpc) => ResourceSpecs.Read<VpcSpec>(vpc);
}
