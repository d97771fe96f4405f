using System.Collections.Immutable;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Nimbus.Contracts.Iam;
using Nimbus.Core.Api;
using Nimbus.Core.Errors;
using Nimbus.Core.Quotas;
using Nimbus.Core.Resources;
using Nimbus.Core.Security;
using Nimbus.Core.Store;

namespace Nimbus.Iam.AccessKeys;

/// <summary>
/// Access keys: ids like <c>NKIA…</c>, secrets shown once and stored only encrypted under the
/// data directory's master key (SigV4 needs the plaintext secret to verify, so a hash won't do).
/// </summary>
public sealed class AccessKeyService(IResourceStore store, SecretProtector protector, QuotaService quotas, TimeProvider time)
{
    /// <summary>System tag naming the owning user, so keys can be listed per user.</summary>
    public const string UserTag = "nimbus:user";
    private const string SecretNamespace = "iam.access-key-secret";
    // Before quotas, the active-key count lived here; it seeds the quota counter once (see MigrateActiveCountAsync).
    private const string LegacyActiveCountNamespace = "iam.active-access-keys";
    private const string LastUsedNamespace = "iam.access-key-last-used";

    // Last use is kept to the minute: writing it on every request would put a store write on
    // the hot path of every API call.
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);
    private const string IdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(30);

    // Authentication happens on every request; this cache keeps it off the store. Local writes
    // invalidate at once; other replicas' writes are seen within CacheLifetime.
    private readonly ConcurrentDictionary<string, (AuthenticatedKey? Key, DateTimeOffset Expires)> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastUsed = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastPersisted = new(StringComparer.Ordinal);

    /// <summary>A 20-character key id: <paramref name="prefix"/> (<c>NKIA</c> long-term, <c>NSIA</c> session) and base32.</summary>
    public static string NewAccessKeyId(string prefix = "NKIA") => prefix + ResourceIds.Random(16, IdAlphabet);

    public static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(30));

    /// <summary>Creates a key for the user named <paramref name="userName"/> in <paramref name="account"/> inside an open write.</summary>
    public async Task<(Resource Key, string Secret)> CreateAsync(IStoreWriter writer, string account, string userName, CancellationToken cancellationToken)
    {
        var user = await writer.GetByNameAsync(account, IamKinds.User, userName, cancellationToken).ConfigureAwait(false)
            ?? throw NimbusException.NotFound($"User '{userName}'");
        await ConsumeKeyAsync(writer, account, user.Id, cancellationToken).ConfigureAwait(false);

        var id = NewAccessKeyId();
        var secret = NewSecret();
        var now = time.GetUtcNow();
        var spec = new AccessKeySpec { UserName = userName, UserId = user.Id, State = AccessKeyStates.Active };
        var key = await writer.CreateAsync(
            new Resource
            {
                Id = id,
                Kind = IamKinds.AccessKey,
                Account = account,
                Region = IamKinds.GlobalRegion,
                Name = id,
                Tags = ImmutableSortedDictionary<string, string>.Empty.Add(UserTag, userName),
                Spec = JsonSerializer.SerializeToElement(spec, NimbusJson.Options),
                Status = new ResourceStatus { Phase = ResourcePhases.Ready },
                CreatedAt = now,
                UpdatedAt = now,
            },
            cancellationToken).ConfigureAwait(false);
        await writer.PutValueAsync(SecretNamespace, id, protector.Protect(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(id)), cancellationToken).ConfigureAwait(false);
        return (key, secret);
    }

    public Task<(Resource Key, string Secret)> CreateAsync(string account, string userName, CancellationToken cancellationToken) =>
        store.WriteAsync((w, ct) => CreateAsync(w, account, userName, ct), cancellationToken);

    public async Task<Resource> GetAsync(string account, string id, CancellationToken cancellationToken)
    {
        var key = await store.GetAsync(id, cancellationToken).ConfigureAwait(false);
        return key is null || key.Kind != IamKinds.AccessKey || key.Account != account ? throw NimbusException.NotFound($"Access key '{id}'") : key;
    }

    public Task<ResourcePage> ListAsync(string account, string? userName, int pageSize, string? pageToken, CancellationToken cancellationToken) =>
        store.ListAsync(
            new ResourceQuery
            {
                Kind = IamKinds.AccessKey,
                Account = account,
                Tags = userName is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [UserTag] = userName },
                PageSize = pageSize,
                PageToken = pageToken,
            },
            cancellationToken);

    public async Task<Resource> SetStateAsync(string account, string id, string state, CancellationToken cancellationToken)
    {
        var updated = await store.WriteAsync(
            async (w, ct) =>
            {
                var key = await w.GetAsync(id, ct).ConfigureAwait(false);
                if (key is null || key.Kind != IamKinds.AccessKey || key.Account != account)
                {
                    throw NimbusException.NotFound($"Access key '{id}'");
                }

                var spec = SpecOf(key);
                if (spec.State == state)
                {
                    return key;
                }

                if (state == AccessKeyStates.Active)
                {
                    await ConsumeKeyAsync(w, account, spec.UserId, ct).ConfigureAwait(false);
                }
                else
                {
                    await ReleaseKeyAsync(w, account, spec.UserId, ct).ConfigureAwait(false);
                }

                return await w.UpdateAsync(key with { Spec = JsonSerializer.SerializeToElement(spec with { State = state }, NimbusJson.Options), UpdatedAt = time.GetUtcNow() }, ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        _cache.TryRemove(id, out _);
        return updated;
    }

    public async Task DeleteAsync(string account, string id, CancellationToken cancellationToken)
    {
        await store.WriteAsync<bool>(
            async (w, ct) =>
            {
                var key = await w.GetAsync(id, ct).ConfigureAwait(false);
                if (key is null || key.Kind != IamKinds.AccessKey || key.Account != account)
                {
                    throw NimbusException.NotFound($"Access key '{id}'");
                }

                // Quota first: kv locks are taken before the resource write's change-feed lock.
                var spec = SpecOf(key);
                if (spec.State == AccessKeyStates.Active)
                {
                    await ReleaseKeyAsync(w, account, spec.UserId, ct).ConfigureAwait(false);
                }

                await w.DeleteAsync(id, null, ct).ConfigureAwait(false);
                await w.DeleteValueAsync(SecretNamespace, id, ct).ConfigureAwait(false);
                await w.DeleteValueAsync(LastUsedNamespace, id, ct).ConfigureAwait(false);

                return true;
            },
            cancellationToken).ConfigureAwait(false);
        _cache.TryRemove(id, out _);
        _lastUsed.TryRemove(id, out _);
        _lastPersisted.TryRemove(id, out _);
    }

    /// <summary>The key for authentication, or null when unknown. Served from memory on the hot path.</summary>
    public async ValueTask<AuthenticatedKey?> FindForAuthenticationAsync(string accessKeyId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(accessKeyId, out var cached) && cached.Expires > now)
        {
            return cached.Key;
        }

        AuthenticatedKey? found = null;
        var key = accessKeyId.Length <= 128 ? await store.GetAsync(accessKeyId, cancellationToken).ConfigureAwait(false) : null;
        if (key is not null && key.Kind == IamKinds.AccessKey)
        {
            var protectedSecret = await store.GetValueAsync(SecretNamespace, accessKeyId, cancellationToken).ConfigureAwait(false);
            if (protectedSecret is not null)
            {
                var spec = SpecOf(key);
                var secret = Encoding.UTF8.GetString(protector.Unprotect(protectedSecret, Encoding.UTF8.GetBytes(accessKeyId)));
                var principal = Nrn.Format(IamKinds.User, IamKinds.GlobalRegion, key.Account, spec.UserId);
                found = new AuthenticatedKey(accessKeyId, secret, key.Account, principal, spec.UserName, spec.State == AccessKeyStates.Active);
            }
        }

        // Unknown ids are cached briefly too, so a flood of bad keys does not reach the store.
        if (_cache.Count > 100_000)
        {
            _cache.Clear();
        }

        _cache[accessKeyId] = (found, now + (found is null ? TimeSpan.FromSeconds(2) : CacheLifetime));
        return found;
    }

    /// <summary>
    /// Notes that <paramref name="accessKeyId"/> authenticated a request now. Persisted at most once
    /// a minute per key, in the background; a failed write only loses that minute's mark.
    /// </summary>
    public void RecordUse(string accessKeyId)
    {
        var now = time.GetUtcNow();
        var previous = _lastUsed.TryGetValue(accessKeyId, out var seen) ? seen : (DateTimeOffset?)null;

        // To the second: replacing the entry allocates, and a busy key is used thousands of times a second.
        if (previous is null || now - previous.Value >= TimeSpan.FromSeconds(1))
        {
            _lastUsed[accessKeyId] = now;
        }

        // Persisted at most once per resolution while the key is in use (comparing with the last use,
        // as before, never persisted again under steady traffic).
        if (_lastPersisted.TryGetValue(accessKeyId, out var persisted) && now - persisted < LastUsedResolution)
        {
            return;
        }

        _lastPersisted[accessKeyId] = now;

        var bytes = BitConverter.GetBytes(now.UtcTicks);
        _ = store.WriteAsync<bool>(
            async (w, ct) =>
            {
                if (await w.GetAsync(accessKeyId, ct).ConfigureAwait(false) is null)
                {
                    return false;
                }

                await w.PutValueAsync(LastUsedNamespace, accessKeyId, bytes, ct).ConfigureAwait(false);
                return true;
            },
            CancellationToken.None).ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
    }

    /// <summary>The API view of a key, with when it was last used.</summary>
    public async Task<AccessKeyDto> ToDtoAsync(Resource key, CancellationToken cancellationToken)
    {
        DateTimeOffset? lastUsed = _lastUsed.TryGetValue(key.Id, out var seen) ? seen : null;
        if (lastUsed is null)
        {
            var stored = await store.GetValueAsync(LastUsedNamespace, key.Id, cancellationToken).ConfigureAwait(false);
            lastUsed = stored is { Length: 8 } ? new DateTimeOffset(BitConverter.ToInt64(stored), TimeSpan.Zero) : null;
        }

        return ToDto(key) with { LastUsedAt = lastUsed };
    }

    public static AccessKeySpec SpecOf(Resource key) => key.Spec.Deserialize<AccessKeySpec>(NimbusJson.Options)!;

    public static AccessKeyDto ToDto(Resource key)
    {
        var spec = SpecOf(key);
        return new AccessKeyDto
        {
            AccessKeyId = key.Id,
            Account = key.Account,
            UserName = spec.UserName,
            Principal = Nrn.Format(IamKinds.User, IamKinds.GlobalRegion, key.Account, spec.UserId),
            State = spec.State,
            CreatedAt = key.CreatedAt,
        };
    }

    // Active keys count against iam.access-keys-per-user, in the same transaction as the keys
    // themselves: a count from a list read outside the transaction let concurrent creates both pass.
    private async Task ConsumeKeyAsync(IStoreWriter writer, string account, string userId, CancellationToken cancellationToken)
    {
        await MigrateActiveCountAsync(writer, account, userId, cancellationToken).ConfigureAwait(false);
        await quotas.ConsumeAsync(writer, account, IamQuotas.AccessKeysPerUser.Code, userId, 1, cancellationToken).ConfigureAwait(false);
    }

    private async Task ReleaseKeyAsync(IStoreWriter writer, string account, string userId, CancellationToken cancellationToken)
    {
        await MigrateActiveCountAsync(writer, account, userId, cancellationToken).ConfigureAwait(false);
        await quotas.ReleaseAsync(writer, account, IamQuotas.AccessKeysPerUser.Code, userId, 1, cancellationToken).ConfigureAwait(false);
    }

    // Data directories from before quotas keep the count under the old key: move it over once.
    private async Task MigrateActiveCountAsync(IStoreWriter writer, string account, string userId, CancellationToken cancellationToken)
    {
        if (await quotas.FindUsageAsync(writer, account, IamQuotas.AccessKeysPerUser.Code, userId, cancellationToken).ConfigureAwait(false) is not null)
        {
            return;
        }

        var legacy = await writer.GetValueAsync(LegacyActiveCountNamespace, userId, cancellationToken).ConfigureAwait(false);
        if (legacy is { Length: 4 })
        {
            await quotas.SetUsageAsync(writer, account, IamQuotas.AccessKeysPerUser.Code, userId, BitConverter.ToInt32(legacy), cancellationToken).ConfigureAwait(false);
            await writer.DeleteValueAsync(LegacyActiveCountNamespace, userId, cancellationToken).ConfigureAwait(false);
        }
    }
}
