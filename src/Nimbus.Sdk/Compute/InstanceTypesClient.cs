using Nimbus.Contracts.Compute;
using Nimbus.Contracts.Resources;

namespace Nimbus.Sdk.Compute;

/// <summary>The instance type catalog (<c>/v1/compute/instance-types</c>).</summary>
public sealed class InstanceTypesClient
{
    private readonly NimbusClient _client;

    internal InstanceTypesClient(NimbusClient client)
    {
        _client = client;
    }

    /// <summary>Lists every instance type offered.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The catalog, in its order.</returns>
    public async Task<IReadOnlyList<InstanceTypeDto>> ListAsync(CancellationToken cancellationToken = default) =>
        (await _client.SendAsync<PageDto<InstanceTypeDto>>(HttpMethod.Get, "/v1/compute/instance-types", cancellationToken: cancellationToken).ConfigureAwait(false)).Items;
}
