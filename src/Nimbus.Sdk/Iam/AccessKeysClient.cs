using System.Runtime.CompilerServices;
using Nimbus.Contracts.Iam;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk.Http;

namespace Nimbus.Sdk.Iam;

/// <summary>Access key operations (<c>/v1/iam/access-keys</c>).</summary>
public sealed class AccessKeysClient
{
    private const string BasePath = "/v1/iam/access-keys";
    private readonly NimbusClient _client;

    internal AccessKeysClient(NimbusClient client)
    {
        _client = client;
    }

    /// <summary>Creates an access key. The answer is the only time its secret is returned.</summary>
    /// <param name="userName">Optional. User to create the key for; default the calling user.</param>
    /// <param name="idempotencyKey">Optional. Idempotency key; default a fresh random one, which makes the call safe to retry.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new key and its secret.</returns>
    public Task<CreateAccessKeyResponse> CreateAsync(string? userName = null, string? idempotencyKey = null, CancellationToken cancellationToken = default) =>
        _client.SendAsync<CreateAccessKeyResponse>(
            HttpMethod.Post,
            BasePath,
            new CreateAccessKeyRequest { UserName = userName },
            new NimbusRequestOptions { IdempotencyKey = idempotencyKey ?? Guid.NewGuid().ToString("N") },
            cancellationToken);

    /// <summary>Lists one page of access keys.</summary>
    /// <param name="userName">Optional. Only keys of this user; default the calling user's keys.</param>
    /// <param name="pageSize">Optional. Maximum items in the page; default chosen by the server.</param>
    /// <param name="nextToken">Optional. Token of the page to read, from a previous page's <c>NextToken</c>; default the first page.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One page; its <c>NextToken</c> is null on the last page.</returns>
    public Task<PageDto<AccessKeyDto>> ListAsync(string? userName = null, int? pageSize = null, string? nextToken = null, CancellationToken cancellationToken = default)
    {
        var path = new PathBuilder(BasePath).Query("userName", userName).Query("pageSize", pageSize).Query("nextToken", nextToken);
        return _client.SendAsync<PageDto<AccessKeyDto>>(HttpMethod.Get, path.ToString(), cancellationToken: cancellationToken);
    }

    /// <summary>Lists every access key, reading page after page.</summary>
    /// <param name="userName">Optional. Only keys of this user; default the calling user's keys.</param>
    /// <param name="pageSize">Optional. Items per request; default chosen by the server.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>All keys, in the server's order.</returns>
    public async IAsyncEnumerable<AccessKeyDto> ListAllAsync(string? userName = null, int? pageSize = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? token = null;
        do
        {
            var page = await ListAsync(userName, pageSize, token, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Items)
            {
                yield return item;
            }

            token = page.NextToken;
        }
        while (token is not null);
    }

    /// <summary>Reads one access key.</summary>
    /// <param name="accessKeyId">Required. The access key id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key, without its secret.</returns>
    public Task<AccessKeyDto> GetAsync(string accessKeyId, CancellationToken cancellationToken = default) =>
        _client.SendAsync<AccessKeyDto>(HttpMethod.Get, KeyPath(accessKeyId), cancellationToken: cancellationToken);

    /// <summary>Deactivates a key: requests signed with it are refused until it is activated again.</summary>
    /// <param name="accessKeyId">Required. The access key id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key, state <c>inactive</c>.</returns>
    public Task<AccessKeyDto> DeactivateAsync(string accessKeyId, CancellationToken cancellationToken = default) =>
        _client.SendAsync<AccessKeyDto>(HttpMethod.Post, KeyPath(accessKeyId) + ":deactivate", cancellationToken: cancellationToken);

    /// <summary>Activates a deactivated key.</summary>
    /// <param name="accessKeyId">Required. The access key id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key, state <c>active</c>.</returns>
    public Task<AccessKeyDto> ActivateAsync(string accessKeyId, CancellationToken cancellationToken = default) =>
        _client.SendAsync<AccessKeyDto>(HttpMethod.Post, KeyPath(accessKeyId) + ":activate", cancellationToken: cancellationToken);

    /// <summary>Deletes a key for good.</summary>
    /// <param name="accessKeyId">Required. The access key id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task completing when the server confirmed (204).</returns>
    public Task DeleteAsync(string accessKeyId, CancellationToken cancellationToken = default) =>
        _client.SendAsync(HttpMethod.Delete, KeyPath(accessKeyId), cancellationToken: cancellationToken);

    private static string KeyPath(string accessKeyId) => BasePath + "/" + PathBuilder.Segment(accessKeyId);
}
