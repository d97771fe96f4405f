using Nimbus.Contracts.Resources;
using Nimbus.Sdk.Http;

namespace Nimbus.Sdk.Compute;

/// <summary>Images (<c>/v1/compute/images</c>): the account's own and the public built-in ones.</summary>
public sealed class ImagesClient
{
    /// <summary>Phase of an image that instances can run from: <c>available</c>.</summary>
    public const string AvailablePhase = "available";

    private readonly NimbusClient _client;

    internal ImagesClient(NimbusClient client)
    {
        _client = client;
    }

    /// <summary>Lists the account's images and the public ones.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Every image visible to the caller.</returns>
    public async Task<IReadOnlyList<ResourceDto>> ListAsync(CancellationToken cancellationToken = default) =>
        (await _client.SendAsync<PageDto<ResourceDto>>(HttpMethod.Get, "/v1/compute/images", cancellationToken: cancellationToken).ConfigureAwait(false)).Items;

    /// <summary>Reads one image.</summary>
    /// <param name="idOrName">Required. Image id (<c>img-...</c>) or name, e.g. <c>busybox</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The image; its spec is an <c>ImageSpec</c>, its details an <c>ImageDetailsDto</c>.</returns>
    public Task<ResourceDto> GetAsync(string idOrName, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Get, "/v1/compute/images/" + PathBuilder.Segment(idOrName), cancellationToken: cancellationToken);
}
