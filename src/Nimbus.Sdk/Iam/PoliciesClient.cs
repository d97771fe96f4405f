using Nimbus.Contracts.Iam;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk.Http;

namespace Nimbus.Sdk.Iam;

/// <summary>Customer-managed policies (<c>/v1/iam/policies</c>) of the caller's account, the built-in policies and the policy simulator.</summary>
public sealed class PoliciesClient
{
    private const string BasePath = "/v1/iam/policies";
    private readonly NimbusClient _client;

    internal PoliciesClient(NimbusClient client)
    {
        _client = client;
    }

    /// <summary>Creates a policy; its document becomes version <c>v1</c>, the default.</summary>
    /// <param name="request">Required. Name and document (JSON text); optional description.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new policy (an <c>iam/policy</c> resource whose spec is a <see cref="PolicySpec"/>).</returns>
    /// <exception cref="NimbusApiException"><c>InvalidParameter</c> for an invalid document, its field errors naming line and column.</exception>
    public Task<ResourceDto> CreateAsync(CreatePolicyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _client.SendAsync<ResourceDto>(HttpMethod.Post, BasePath, request, new NimbusRequestOptions { IdempotencyKey = Guid.NewGuid().ToString("N") }, cancellationToken);
    }

    /// <summary>Reads one policy by id, with all its stored versions.</summary>
    /// <param name="id">Required. Policy id, e.g. <c>pol-7f3k2m9q0c1d</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The policy.</returns>
    public Task<ResourceDto> GetAsync(string id, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Get, BasePath + "/" + PathBuilder.Segment(id), cancellationToken: cancellationToken);

    /// <summary>Finds a customer-managed policy by exact name; null when there is none.</summary>
    /// <param name="name">Required. Policy name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The policy, or null.</returns>
    public async Task<ResourceDto?> FindByNameAsync(string name, CancellationToken cancellationToken = default) =>
        (await ListAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false)).Items.FirstOrDefault();

    /// <summary>Lists one page of the account's customer-managed policies (not the built-in ones; see <see cref="ListBuiltInAsync"/>).</summary>
    /// <param name="name">Optional. Only the policy of this exact name.</param>
    /// <param name="pageSize">Optional. 1 to 1000; server default 50.</param>
    /// <param name="nextToken">Optional. Token of the previous page.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One page.</returns>
    public Task<PageDto<ResourceDto>> ListAsync(string? name = null, int? pageSize = null, string? nextToken = null, CancellationToken cancellationToken = default) =>
        _client.SendAsync<PageDto<ResourceDto>>(HttpMethod.Get, new PathBuilder(BasePath).Query("name", name).Query("pageSize", pageSize).Query("nextToken", nextToken).ToString(), cancellationToken: cancellationToken);

    /// <summary>Lists the built-in (platform-managed) policies, e.g. <c>AdministratorAccess</c> and <c>ReadOnlyAccess</c>.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>All built-in policies, in one page.</returns>
    public Task<PageDto<BuiltInPolicyDto>> ListBuiltInAsync(CancellationToken cancellationToken = default) =>
        _client.SendAsync<PageDto<BuiltInPolicyDto>>(HttpMethod.Get, BasePath + ":builtin", cancellationToken: cancellationToken);

    /// <summary>Adds a version to a policy (at most 5 are stored).</summary>
    /// <param name="id">Required. Policy id.</param>
    /// <param name="request">Required. The document; optional <see cref="CreatePolicyVersionRequest.SetAsDefault"/> (default true).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The policy with the new version.</returns>
    public Task<ResourceDto> CreateVersionAsync(string id, CreatePolicyVersionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _client.SendAsync<ResourceDto>(HttpMethod.Post, BasePath + "/" + PathBuilder.Segment(id) + "/versions", request, cancellationToken: cancellationToken);
    }

    /// <summary>Deletes a policy that is attached to no user or group (<c>Conflict</c> otherwise).</summary>
    /// <param name="id">Required. Policy id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the policy is gone.</returns>
    public Task DeleteAsync(string id, CancellationToken cancellationToken = default) =>
        _client.SendAsync(HttpMethod.Delete, BasePath + "/" + PathBuilder.Segment(id), cancellationToken: cancellationToken);

    /// <summary>Evaluates a user's policies against actions and resources without performing anything.</summary>
    /// <param name="request">Required. User name and actions; optional resources (default <c>*</c>) and condition context.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One decision per action and resource; a deny is a result, not an error.</returns>
    public Task<SimulatePolicyResponse> SimulateAsync(SimulatePolicyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _client.SendAsync<SimulatePolicyResponse>(HttpMethod.Post, BasePath + ":simulate", request, cancellationToken: cancellationToken);
    }
}
