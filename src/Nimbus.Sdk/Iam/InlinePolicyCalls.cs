using Nimbus.Contracts.Iam;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk.Http;

namespace Nimbus.Sdk.Iam;

/// <summary>The inline-policy calls users, groups and roles share (<c>{base}/{id}/policies[/{name}]</c>).</summary>
internal static class InlinePolicyCalls
{
    public static Task<ResourceDto> PutAsync(NimbusClient client, string basePath, string id, string name, string document, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(document);
        return client.SendAsync<ResourceDto>(HttpMethod.Put, Path(basePath, id, name), new PutInlinePolicyRequest { Document = document }, cancellationToken: cancellationToken);
    }

    public static Task<InlinePolicyDto> GetAsync(NimbusClient client, string basePath, string id, string name, CancellationToken cancellationToken) =>
        client.SendAsync<InlinePolicyDto>(HttpMethod.Get, Path(basePath, id, name), cancellationToken: cancellationToken);

    public static async Task<IReadOnlyList<InlinePolicyDto>> ListAsync(NimbusClient client, string basePath, string id, CancellationToken cancellationToken) =>
        (await client.SendAsync<PageDto<InlinePolicyDto>>(HttpMethod.Get, basePath + "/" + PathBuilder.Segment(id) + "/policies", cancellationToken: cancellationToken).ConfigureAwait(false)).Items;

    public static Task<ResourceDto> DeleteAsync(NimbusClient client, string basePath, string id, string name, CancellationToken cancellationToken) =>
        client.SendAsync<ResourceDto>(HttpMethod.Delete, Path(basePath, id, name), cancellationToken: cancellationToken);

    private static string Path(string basePath, string id, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return basePath + "/" + PathBuilder.Segment(id) + "/policies/" + PathBuilder.Segment(name);
    }
}
