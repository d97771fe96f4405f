using System.Text;
using System.Text.Json;
using Nimbus.Contracts.Iam;
using Nimbus.Core.Api;
using Nimbus.Core.Errors;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;
using Nimbus.Iam.AccessKeys;
using Nimbus.Iam.Principals;

namespace Nimbus.Iam.Accounts;

/// <summary>
/// Accounts (tenants). Platform administrators create them; each gets a <c>root</c> user and a
/// first access key for it, so its owner can sign in and build from there.
/// </summary>
public sealed class AccountService(IResourceStore store, UserService users, AccessKeyService accessKeys, PlatformAccount platform, TimeProvider time)
{
    public const string RootUserName = "root";
    private const string NameNamespace = "iam.account-name";

    public async Task<(Resource Account, Resource Key, string Secret)> CreateAsync(CreateAccountRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        IamValidation.Name(errors, "name", request.Name, 64);
        errors.ThrowIfAny();
        return await store.WriteAsync(
            async (w, ct) =>
            {
                var accountId = ResourceIds.NewAccountId();

                await ReserveNameAsync(w, request.Name!, accountId, ct).ConfigureAwait(false);

                var now = time.GetUtcNow();
                var account = await w.CreateAsync(IamResources.New(IamKinds.Account, accountId, accountId, request.Name!, new Dictionary<string, object>(), now), ct).ConfigureAwait(false);
                await users.CreateAsync(w, accountId, RootUserName, "/", null, null, ct, root: true).ConfigureAwait(false);
                var (key, secret) = await accessKeys.CreateAsync(w, accountId, RootUserName, ct).ConfigureAwait(false);
                return (account, key, secret);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Claims an account name; names are unique across the platform, case-insensitively, atomically.</summary>
    public static async Task ReserveNameAsync(IStoreWriter writer, string name, string accountId, CancellationToken cancellationToken)
    {
        if (!await writer.TryAddValueAsync(NameNamespace, name.ToUpperInvariant(), Encoding.UTF8.GetBytes(accountId), cancellationToken).ConfigureAwait(false))
        {
            throw NimbusException.AlreadyExists($"Account '{name}'");
        }
    }

    /// <summary>Every account for platform administrators; only its own for anyone else.</summary>
    public async Task<ResourcePage> ListAsync(string callerAccount, int pageSize, string? token, CancellationToken cancellationToken) =>
        await store.ListAsync(
            new ResourceQuery { Kind = IamKinds.Account, Account = platform.IsPlatform(callerAccount) ? null : callerAccount, PageSize = pageSize, PageToken = token },
            cancellationToken).ConfigureAwait(false);

    public async Task<Resource> GetAsync(string callerAccount, string id, CancellationToken cancellationToken)
    {
        var account = await store.GetAsync(id, cancellationToken).ConfigureAwait(false);
        return account is null || account.Kind != IamKinds.Account || (!platform.IsPlatform(callerAccount) && account.Id != callerAccount)
            ? throw NimbusException.NotFound($"Account '{id}'")
            : account;
    }
}
