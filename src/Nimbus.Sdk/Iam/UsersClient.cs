using Nimbus.Contracts.Iam;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk.Http;

namespace Nimbus.Sdk.Iam;

/// <summary>IAM users (<c>/v1/iam/users</c>) of the caller's account.</summary>
public sealed class UsersClient
{
    private const string BasePath = "/v1/iam/users";
    private readonly NimbusClient _client;

    internal UsersClient(NimbusClient client)
    {
        _client = client;
    }

    /// <summary>Creates a user.</summary>
    /// <param name="request">Required. Name; optional path, tags and console password.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new user (an <c>iam/user</c> resource).</returns>
    public Task<ResourceDto> CreateAsync(CreateUserRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _client.SendAsync<ResourceDto>(HttpMethod.Post, BasePath, request, new NimbusRequestOptions { IdempotencyKey = Guid.NewGuid().ToString("N") }, cancellationToken);
    }

    /// <summary>Reads one user by id.</summary>
    /// <param name="id">Required. User id, e.g. <c>usr-7f3k2m9q0c1d</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The user.</returns>
    public Task<ResourceDto> GetAsync(string id, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Get, BasePath + "/" + PathBuilder.Segment(id), cancellationToken: cancellationToken);

    /// <summary>Finds a user by exact name; null when there is none.</summary>
    /// <param name="name">Required. User name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The user, or null.</returns>
    public async Task<ResourceDto?> FindByNameAsync(string name, CancellationToken cancellationToken = default) =>
        (await ListAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false)).Items.FirstOrDefault();

    /// <summary>Lists one page of users.</summary>
    /// <param name="name">Optional. Only the user of this exact name.</param>
    /// <param name="tags">Optional. Only users carrying every one of these tags.</param>
    /// <param name="pageSize">Optional. 1 to 1000; server default 50.</param>
    /// <param name="nextToken">Optional. Token of the previous page.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One page.</returns>
    public Task<PageDto<ResourceDto>> ListAsync(string? name = null, IReadOnlyDictionary<string, string>? tags = null, int? pageSize = null, string? nextToken = null, CancellationToken cancellationToken = default)
    {
        var path = new PathBuilder(BasePath).Query("name", name);
        foreach (var (key, value) in tags ?? new Dictionary<string, string>())
        {
            path.Query("tag", key + "=" + value);
        }

        path.Query("pageSize", pageSize).Query("nextToken", nextToken);
        return _client.SendAsync<PageDto<ResourceDto>>(HttpMethod.Get, path.ToString(), cancellationToken: cancellationToken);
    }

    /// <summary>Changes a user's path or tags (optimistic concurrency on <see cref="UpdateUserRequest.Version"/>).</summary>
    /// <param name="id">Required. User id.</param>
    /// <param name="request">Required. Version read and the changes.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The updated user.</returns>
    public Task<ResourceDto> UpdateAsync(string id, UpdateUserRequest request, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Put, BasePath + "/" + PathBuilder.Segment(id), request, cancellationToken: cancellationToken);

    /// <summary>Sets or changes a user's console password.</summary>
    /// <param name="id">Required. User id.</param>
    /// <param name="password">Required. Must satisfy the account's password policy.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The user.</returns>
    public Task<ResourceDto> SetPasswordAsync(string id, string password, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Post, BasePath + "/" + PathBuilder.Segment(id) + ":set-password", new SetPasswordRequest { Password = password }, cancellationToken: cancellationToken);

    /// <summary>Attaches a managed policy to a user; attaching one already attached changes nothing.</summary>
    /// <param name="id">Required. User id.</param>
    /// <param name="policy">Required. A built-in policy name (e.g. <c>ReadOnlyAccess</c>), a policy name of the account, or a policy id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The user; its <c>spec.attachedPolicies</c> lists what is attached.</returns>
    public Task<ResourceDto> AttachPolicyAsync(string id, string policy, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Post, BasePath + "/" + PathBuilder.Segment(id) + ":attach-policy", new PolicyAttachmentRequest { Policy = policy }, cancellationToken: cancellationToken);

    /// <summary>Detaches a managed policy from a user.</summary>
    /// <param name="id">Required. User id.</param>
    /// <param name="policy">Required. A built-in policy name, a policy name of the account, or a policy id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The user.</returns>
    public Task<ResourceDto> DetachPolicyAsync(string id, string policy, CancellationToken cancellationToken = default) =>
        _client.SendAsync<ResourceDto>(HttpMethod.Post, BasePath + "/" + PathBuilder.Segment(id) + ":detach-policy", new PolicyAttachmentRequest { Policy = policy }, cancellationToken: cancellationToken);

    /// <summary>Deletes a user that has no access keys and belongs to no group.</summary>
    /// <param name="id">Required. User id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the user is gone.</returns>
    public Task DeleteAsync(string id, CancellationToken cancellationToken = default) =>
        _client.SendAsync(HttpMethod.Delete, BasePath + "/" + PathBuilder.Segment(id), cancellationToken: cancellationToken);

    /// <summary>Creates the user's virtual MFA device (pending until enabled); the secret is in the answer only.</summary>
    /// <param name="id">Required. User id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The device, its base32 secret and an otpauth URI.</returns>
    public Task<CreateMfaDeviceResponse> CreateMfaDeviceAsync(string id, CancellationToken cancellationToken = default) =>
        _client.SendAsync<CreateMfaDeviceResponse>(HttpMethod.Post, BasePath + "/" + PathBuilder.Segment(id) + "/mfa-device", null, cancellationToken: cancellationToken);

    /// <summary>Enables the user's MFA device with two consecutive codes.</summary>
    /// <param name="id">Required. User id.</param>
    /// <param name="code1">Required. A code.</param>
    /// <param name="code2">Required. The next code.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The enabled device.</returns>
    public Task<MfaDeviceDto> EnableMfaDeviceAsync(string id, string code1, string code2, CancellationToken cancellationToken = default) =>
        _client.SendAsync<MfaDeviceDto>(HttpMethod.Post, BasePath + "/" + PathBuilder.Segment(id) + "/mfa-device:enable", new EnableMfaDeviceRequest { Code1 = code1, Code2 = code2 }, cancellationToken: cancellationToken);

    /// <summary>Reads the user's MFA device.</summary>
    /// <param name="id">Required. User id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The device.</returns>
    public Task<MfaDeviceDto> GetMfaDeviceAsync(string id, CancellationToken cancellationToken = default) =>
        _client.SendAsync<MfaDeviceDto>(HttpMethod.Get, BasePath + "/" + PathBuilder.Segment(id) + "/mfa-device", cancellationToken: cancellationToken);

    /// <summary>Removes the user's MFA device.</summary>
    /// <param name="id">Required. User id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the device is gone.</returns>
    public Task DeleteMfaDeviceAsync(string id, CancellationToken cancellationToken = default) =>
        _client.SendAsync(HttpMethod.Delete, BasePath + "/" + PathBuilder.Segment(id) + "/mfa-device", cancellationToken: cancellationToken);

    /// <summary>Puts (creates or replaces) an inline policy of a user; it counts with the user's managed policies.</summary>
    /// <param name="id">Required. User id (<c>usr-…</c>).</param>
    /// <param name="name">Required. Policy name, 1 to 128 of letters, digits and <c>+=,.@_-</c>; at most 10 per user.</param>
    /// <param name="document">Required. The policy document as JSON text; refused with line and column when malformed.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The user; its <c>spec.inlinePolicies</c> holds the documents.</returns>
    public Task<ResourceDto> PutPolicyAsync(string id, string name, string document, CancellationToken cancellationToken = default) =>
        InlinePolicyCalls.PutAsync(_client, BasePath, id, name, document, cancellationToken);

    /// <summary>Reads one inline policy of a user, exactly as it was put.</summary>
    /// <param name="id">Required. User id (<c>usr-…</c>).</param>
    /// <param name="name">Required. Policy name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The name and the document.</returns>
    public Task<InlinePolicyDto> GetPolicyAsync(string id, string name, CancellationToken cancellationToken = default) =>
        InlinePolicyCalls.GetAsync(_client, BasePath, id, name, cancellationToken);

    /// <summary>Lists the inline policies of a user, by name.</summary>
    /// <param name="id">Required. User id (<c>usr-…</c>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Every inline policy (at most 10) with its document.</returns>
    public Task<IReadOnlyList<InlinePolicyDto>> ListPoliciesAsync(string id, CancellationToken cancellationToken = default) =>
        InlinePolicyCalls.ListAsync(_client, BasePath, id, cancellationToken);

    /// <summary>Deletes an inline policy of a user.</summary>
    /// <param name="id">Required. User id (<c>usr-…</c>).</param>
    /// <param name="name">Required. Policy name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The user without the policy.</returns>
    public Task<ResourceDto> DeletePolicyAsync(string id, string name, CancellationToken cancellationToken = default) =>
        InlinePolicyCalls.DeleteAsync(_client, BasePath, id, name, cancellationToken);
}
