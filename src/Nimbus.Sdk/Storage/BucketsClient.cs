using Nimbus.Contracts.Resources;
using Nimbus.Contracts.Storage;
using Nimbus.Sdk.Http;

namespace Nimbus.Sdk.Storage;

/// <summary>Buckets (<c>/v1/storage/buckets</c>): resources of kind <c>storage/bucket</c> whose <c>status.details</c> holds their usage.</summary>
public sealed class BucketsClient
{
    private const string BasePath = "/v1/storage/buckets";
    private readonly NimbusClient _client;

    internal BucketsClient(NimbusClient client)
    {
        _client = client;
    }

    /// <summary>Creates a bucket.</summary>
    /// <param name="request">Required. Name (S3 rules, unique across the platform) and optional tags.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new bucket.</returns>
    /// <exception cref="NimbusApiException"><c>AlreadyExists</c> (409) when the name is taken, <c>InvalidParameter</c> for a bad name.</exception>
    public Task<ResourceDto> CreateAsync(CreateBucketRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _client.SendAsync<ResourceDto>(HttpMethod.Post, BasePath, request, new NimbusRequestOptions { IdempotencyKey = Guid.NewGuid().ToString("N") }, cancellationToken);
    }

    /// <summary>Lists the account's buckets with their usage.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Every bucket of the account (one page).</returns>
    public Task<PageDto<ResourceDto>> ListAsync(CancellationToken cancellationToken = default) =>
        _client.SendAsync<PageDto<ResourceDto>>(HttpMethod.Get, BasePath, cancellationToken: cancellationToken);

    /// <summary>Reads one bucket with its usage.</summary>
    /// <param name="name">Required. Bucket name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The bucket.</returns>
    /// <exception cref="NimbusApiException"><c>NotFound</c> (404).</exception>
    public Task<ResourceDto> GetAsync(string name, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Get, BasePath + "/" + PathBuilder.Segment(name), cancellationToken: cancellationToken);

    /// <summary>Deletes an empty bucket.</summary>
    /// <param name="name">Required. Bucket name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the bucket is gone.</returns>
    /// <exception cref="NimbusApiException"><c>Conflict</c> (409) while it holds objects, <c>NotFound</c> (404).</exception>
    public Task DeleteAsync(string name, CancellationToken cancellationToken = default) =>
        _client.SendAsync(HttpMethod.Delete, BasePath + "/" + PathBuilder.Segment(name), cancellationToken: cancellationToken);
}
