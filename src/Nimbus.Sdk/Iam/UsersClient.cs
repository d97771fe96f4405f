using Nimbus.Contracts.Iam;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk.Http;

namespace Nimbus.Sdk.Iam;

/// <summary>IAM users (<c>/v1/iam/users</c>) of the caller's account.</summary>
public sealed class UsersClient : PrincipalClient
{
    internal UsersClient(NimbusClient client)
        : base(client, "/v1/iam/users")
    {
    }

    /// <summary>Creates a user.</summary>
    /// <param name="request">Required. Name; optional path, tags and console password.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new user (an <c>iam/user</c> resource).</returns>
    public Task<ResourceDto> CreateAsync(CreateUserRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Client.SendAsync<ResourceDto>(HttpMethod.Post, BasePath, request, new NimbusRequestOptions { IdempotencyKey = Guid.NewGuid().ToString("N") }, cancellationToken);
    }

    /// <summary>Lists one page of users.</summary>
    /// <param name="name">Optional. Only the user of this exact name.</param>
    /// <param name="tags">Optional. Only users carrying every one of these tags.</param>
    /// <param name="pageSize">Optional. 1 to 1000; server default 50.</param>
    /// <param name="nextToken">Optional. Token of the previous page.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One page.</returns>
    public Task<PageDto<ResourceDto>> ListAsync(string? name = null, IReadOnlyDictionary<string, string>? tags = null, int? pageSize = null, string? nextToken = null, CancellationToken cancellationToken = default)
    {
        var path = new PathBuilder(BasePath).Query("name", name).Tags(tags).Query("pageSize", pageSize).Query("nextToken", nextToken);
        return Client.SendAsync<PageDto<ResourceDto>>(HttpMethod.Get, path.ToString(), cancellationToken: cancellationToken);
    }

    /// <summary>Changes a user's path or tags (optimistic concurrency on <see cref="UpdateUserRequest.Version"/>).</summary>
    /// <param name="id">Required. User id.</param>
    /// <param name="request">Required. Version read and the changes.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The updated user.</returns>
    public Task<ResourceDto> UpdateAsync(string id, UpdateUserRequest request, CancellationToken cancellationToken = default) =>
        Client.SendAsync<ResourceDto>(HttpMethod.Put, ItemPath(id), request, cancellationToken: cancellationToken);

    /// <summary>Sets or changes a user's console password.</summary>
    /// <param name="id">Required. User id.</param>
    /// <param name="password">Required. Must satisfy the account's password policy.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The user.</returns>
    public Task<ResourceDto> SetPasswordAsync(string id, string password, CancellationToken cancellationToken = default) =>
        Client.SendAsync<ResourceDto>(HttpMethod.Post, ItemPath(id) + ":set-password", new SetPasswordRequest { Password = password }, cancellationToken: cancellationToken);

    /// <summary>Creates the user's virtual MFA device (pending until enabled); the secret is in the answer only.</summary>
    /// <param name="id">Required. User id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The device, its base32 secret and an otpauth URI.</returns>
    public Task<CreateMfaDeviceResponse> CreateMfaDeviceAsync(string id, CancellationToken cancellationToken = default) =>
        Client.SendAsync<CreateMfaDeviceResponse>(HttpMethod.Post, ItemPath(id) + "/mfa-device", null, cancellationToken: cancellationToken);

    /// <summary>Enables the user's MFA device with two consecutive codes.</summary>
    /// <param name="id">Required. User id.</param>
    /// <param name="code1">Required. A code.</param>
    /// <param name="code2">Required. The next code.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The enabled device.</returns>
    public Task<MfaDeviceDto> EnableMfaDeviceAsync(string id, string code1, string code2, CancellationToken cancellationToken = default) =>
        Client.SendAsync<MfaDeviceDto>(HttpMethod.Post, ItemPath(id) + "/mfa-device:enable", new EnableMfaDeviceRequest { Code1 = code1, Code2 = code2 }, cancellationToken: cancellationToken);

    /// <summary>Reads the user's MFA device.</summary>
    /// <param name="id">Required. User id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The device.</returns>
    public Task<MfaDeviceDto> GetMfaDeviceAsync(string id, CancellationToken cancellationToken = default) =>
        Client.SendAsync<MfaDeviceDto>(HttpMethod.Get, ItemPath(id) + "/mfa-device", cancellationToken: cancellationToken);

    /// <summary>Removes the user's MFA device.</summary>
    /// <param name="id">Required. User id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the device is gone.</returns>
    public Task DeleteMfaDeviceAsync(string id, CancellationToken cancellationToken = default) =>
        Client.SendAsync(HttpMethod.Delete, ItemPath(id) + "/mfa-device", cancellationToken: cancellationToken);
}
