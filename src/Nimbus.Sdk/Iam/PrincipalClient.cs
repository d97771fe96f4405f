using Nimbus.Contracts.Iam;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk.Http;

namespace Nimbus.Sdk.Iam;

/// <summary>
/// The calls users, groups and roles answer alike (<c>{base}/{id}</c>): read, find by name, delete, managed-policy
/// attachments and inline policies. Each principal's client adds what is its own.
/// </summary>
public abstract class PrincipalClient
{
    private protected PrincipalClient(NimbusClient client, string basePath)
    {
        Client = client;
        BasePath = basePath;
    }

    private protected NimbusClient Client { get; }

    private protected string BasePath { get; }

    /// <summary>Reads one principal by id.</summary>
    /// <param name="id">Required. Its id (<c>usr-…</c>, <c>grp-…</c>, <c>rol-…</c>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The principal; a group's <c>spec.members</c> lists member user ids.</returns>
    public Task<ResourceDto> GetAsync(string id, CancellationToken cancellationToken = default) =>
        Client.SendAsync<ResourceDto>(HttpMethod.Get, ItemPath(id), cancellationToken: cancellationToken);

    /// <summary>Finds a principal by exact name; null when there is none.</summary>
    /// <param name="name">Required. Its name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The principal, or null.</returns>
    public async Task<ResourceDto?> FindByNameAsync(string name, CancellationToken cancellationToken = default) =>
        (await Client.SendAsync<PageDto<ResourceDto>>(HttpMethod.Get, new PathBuilder(BasePath).Query("name", name).ToString(), cancellationToken: cancellationToken).ConfigureAwait(false)).Items.FirstOrDefault();

    /// <summary>Attaches a managed policy; attaching one already attached changes nothing.</summary>
    /// <param name="id">Required. The principal's id.</param>
    /// <param name="policy">Required. A built-in policy name (e.g. <c>ReadOnlyAccess</c>), a policy name of the account, or a policy id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The principal; its <c>spec.attachedPolicies</c> lists what is attached.</returns>
    public Task<ResourceDto> AttachPolicyAsync(string id, string policy, CancellationToken cancellationToken = default) =>
        Client.SendAsync<ResourceDto>(HttpMethod.Post, ItemPath(id) + ":attach-policy", new PolicyAttachmentRequest { Policy = policy }, cancellationToken: cancellationToken);

    /// <summary>Detaches a managed policy.</summary>
    /// <param name="id">Required. The principal's id.</param>
    /// <param name="policy">Required. A built-in policy name, a policy name of the account, or a policy id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The principal.</returns>
    public Task<ResourceDto> DetachPolicyAsync(string id, string policy, CancellationToken cancellationToken = default) =>
        Client.SendAsync<ResourceDto>(HttpMethod.Post, ItemPath(id) + ":detach-policy", new PolicyAttachmentRequest { Policy = policy }, cancellationToken: cancellationToken);

    /// <summary>
    /// Deletes the principal: a user only without access keys and group memberships, a group only when empty;
    /// a role's sessions stop working.
    /// </summary>
    /// <param name="id">Required. The principal's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when it is gone.</returns>
    public Task DeleteAsync(string id, CancellationToken cancellationToken = default) =>
        Client.SendAsync(HttpMethod.Delete, ItemPath(id), cancellationToken: cancellationToken);

    /// <summary>Puts (creates or replaces) an inline policy; it counts with the principal's managed policies.</summary>
    /// <param name="id">Required. The principal's id.</param>
    /// <param name="name">Required. Policy name, 1 to 128 of letters, digits and <c>+=,.@_-</c>; at most 10 per principal.</param>
    /// <param name="document">Required. The policy document as JSON text; refused with line and column when malformed.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The principal; its <c>spec.inlinePolicies</c> holds the documents.</returns>
    public Task<ResourceDto> PutPolicyAsync(string id, string name, string document, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(document);
        return Client.SendAsync<ResourceDto>(HttpMethod.Put, InlinePolicyPath(id, name), new PutInlinePolicyRequest { Document = document }, cancellationToken: cancellationToken);
    }

    /// <summary>Reads one inline policy, exactly as it was put.</summary>
    /// <param name="id">Required. The principal's id.</param>
    /// <param name="name">Required. Policy name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The name and the document.</returns>
    public Task<InlinePolicyDto> GetPolicyAsync(string id, string name, CancellationToken cancellationToken = default) =>
        Client.SendAsync<InlinePolicyDto>(HttpMethod.Get, InlinePolicyPath(id, name), cancellationToken: cancellationToken);

    /// <summary>Lists the inline policies, by name.</summary>
    /// <param name="id">Required. The principal's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Every inline policy (at most 10) with its document.</returns>
    public async Task<IReadOnlyList<InlinePolicyDto>> ListPoliciesAsync(string id, CancellationToken cancellationToken = default) =>
        (await Client.SendAsync<PageDto<InlinePolicyDto>>(HttpMethod.Get, ItemPath(id) + "/policies", cancellationToken: cancellationToken).ConfigureAwait(false)).Items;

    /// <summary>Deletes an inline policy.</summary>
    /// <param name="id">Required. The principal's id.</param>
    /// <param name="name">Required. Policy name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The principal without the policy.</returns>
    public Task<ResourceDto> DeletePolicyAsync(string id, string name, CancellationToken cancellationToken = default) =>
        Client.SendAsync<ResourceDto>(HttpMethod.Delete, InlinePolicyPath(id, name), cancellationToken: cancellationToken);

    /// <summary><c>{base}/{id}</c>, the id escaped as one segment.</summary>
    private protected string ItemPath(string id) => BasePath + "/" + PathBuilder.Segment(id);

    private string InlinePolicyPath(string id, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return ItemPath(id) + "/policies/" + PathBuilder.Segment(name);
    }
}
