using System.Buffers.Binary;
using System.Collections.Frozen;
using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Quotas;
using Nimbus.Core.Api;
using Nimbus.Core.Errors;
using Nimbus.Core.Store;

namespace Nimbus.Core.Quotas;

/// <summary>
/// Per-account limits per quota code, enforced inside the store unit of work that creates or
/// deletes what they count. Usage counters (<c>quota.usage</c>, key <c>&lt;account&gt;/&lt;code&gt;</c>, or
/// <c>&lt;account&gt;/&lt;code&gt;/&lt;holder&gt;</c> for per-user quotas) and limit overrides (<c>quota.limit</c>,
/// key <c>&lt;account&gt;/&lt;code&gt;</c>) are key/value entries read and written through the same
/// <see cref="IStoreWriter"/> as the resource, under <see cref="IStoreWriter.LockKeyAsync"/> of the usage key
/// (SQLite runs the units of a group commit one after another; PostgreSQL runs them concurrently under READ
/// COMMITTED and needs the lock), so two concurrent creates never both pass the last unit, and a unit that
/// fails takes its consumption back with it. Consume and release before writing resources in the unit: the
/// lock order kv keys → change feed keeps concurrent units from deadlocking.
/// </summary>
public sealed class QuotaService
{
    public const string UsageNamespace = "quota.usage";
    public const string LimitNamespace = "quota.limit";
    public const long MaxLimit = 1_000_000_000_000;

    private readonly IResourceStore _store;
    private readonly FrozenDictionary<string, QuotaDefinition> _definitions;

    public QuotaService(IResourceStore store, IEnumerable<QuotaDefinition> definitions)
    {
        _store = store;
        _definitions = definitions.ToFrozenDictionary(d => d.Code, StringComparer.Ordinal);
        Definitions = [.. _definitions.Values.OrderBy(d => d.Code, StringComparer.Ordinal)];
    }

    /// <summary>Every registered quota, ordered by code.</summary>
    public IReadOnlyList<QuotaDefinition> Definitions { get; }

    public QuotaDefinition? Find(string code) => _definitions.GetValueOrDefault(code);

    /// <summary>Takes <paramref name="amount"/> units of an account-scoped quota, or throws <c>QuotaExceeded</c> (409).</summary>
    public Task<long> ConsumeAsync(IStoreWriter writer, string account, string code, long amount, CancellationToken cancellationToken) =>
        ConsumeCoreAsync(writer, account, Require(code, QuotaScope.Account), holder: null, amount, cancellationToken);

    /// <summary>Takes <paramref name="amount"/> units of a per-user quota for <paramref name="holder"/> (a user id), or throws <c>QuotaExceeded</c>.</summary>
    public Task<long> ConsumeAsync(IStoreWriter writer, string account, string code, string holder, long amount, CancellationToken cancellationToken) =>
        ConsumeCoreAsync(writer, account, Require(code, QuotaScope.User), holder, amount, cancellationToken);

    /// <summary>Gives back <paramref name="amount"/> units of an account-scoped quota; usage never goes below zero.</summary>
    public Task<long> ReleaseAsync(IStoreWriter writer, string account, string code, long amount, CancellationToken cancellationToken) =>
        ReleaseCoreAsync(writer, UsageKey(account, Require(code, QuotaScope.Account).Code, null), amount, cancellationToken);

    /// <summary>Gives back <paramref name="amount"/> units of a per-user quota held by <paramref name="holder"/>.</summary>
    public Task<long> ReleaseAsync(IStoreWriter writer, string account, string code, string holder, long amount, CancellationToken cancellationToken) =>
        ReleaseCoreAsync(writer, UsageKey(account, Require(code, QuotaScope.User).Code, holder), amount, cancellationToken);

    /// <summary>
    /// The usage counter inside a transaction, locked for the rest of it; null when none was ever written
    /// (a service migrating an older counter seeds it then with <see cref="SetUsageAsync"/>).
    /// </summary>
    public async Task<long?> FindUsageAsync(IStoreWriter writer, string account, string code, string? holder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var key = UsageKey(account, code, holder);
        await writer.LockKeyAsync(UsageNamespace, key, cancellationToken).ConfigureAwait(false);
        var value = await writer.GetValueAsync(UsageNamespace, key, cancellationToken).ConfigureAwait(false);
        return value is null ? null : Decode(value);
    }

    /// <summary>The limit in force for an account-scoped quota: the account's override, else the default.</summary>
    public async Task<long> GetLimitAsync(string account, string code, CancellationToken cancellationToken)
    {
        var definition = Require(code, QuotaScope.Account);
        var value = await _store.GetValueAsync(LimitNamespace, LimitKey(account, definition.Code), cancellationToken).ConfigureAwait(false);
        return value is null ? definition.DefaultLimit : Decode(value);
    }

    /// <summary>Overwrites a usage counter inside a transaction (migrations and repairs only).</summary>
    public Task SetUsageAsync(IStoreWriter writer, string account, string code, string? holder, long usage, CancellationToken cancellationToken) =>
        writer.PutValueAsync(UsageNamespace, UsageKey(account, code, holder), Encode(Math.Max(0, usage)), cancellationToken);

    /// <summary>Every quota of <paramref name="account"/> with its limit in force and usage.</summary>
    public async Task<QuotaListDto> ListAsync(string account, CancellationToken cancellationToken)
    {
        var items = new List<QuotaDto>(Definitions.Count);
        foreach (var definition in Definitions)
        {
            var limitValue = await _store.GetValueAsync(LimitNamespace, LimitKey(account, definition.Code), cancellationToken).ConfigureAwait(false);
            long? usage = null;
            if (definition.Scope == QuotaScope.Account)
            {
                var usageValue = await _store.GetValueAsync(UsageNamespace, UsageKey(account, definition.Code, null), cancellationToken).ConfigureAwait(false);
                usage = usageValue is null ? 0 : Decode(usageValue);
            }

            items.Add(new QuotaDto
            {
                Code = definition.Code,
                Description = definition.Description,
                Unit = definition.Unit,
                Scope = definition.Scope == QuotaScope.User ? "user" : "account",
                Account = account,
                Limit = limitValue is null ? definition.DefaultLimit : Decode(limitValue),
                DefaultLimit = definition.DefaultLimit,
                IsOverridden = limitValue is not null,
                Usage = usage,
            });
        }

        return new QuotaListDto { Account = account, Items = items };
    }

    /// <summary>
    /// Sets the limit of quota <paramref name="code"/> for an account. Platform administrators only
    /// (403 <c>AccessDenied</c> otherwise); the account defaults to the caller's. A limit below usage
    /// blocks new consumption and removes nothing.
    /// </summary>
    public async Task<QuotaDto> SetLimitAsync(CallerContext caller, string code, SetQuotaRequest request, Func<string, CancellationToken, Task<bool>> accountExists, CancellationToken cancellationToken)
    {
        EnsureAdministrator(caller, "quota:SetQuota");
        var definition = Find(code) ?? throw NimbusException.NotFound($"Quota '{code}'");
        var account = request.Account ?? caller.Account;
        var errors = new FieldErrors();
        ValidateAccount(errors, "account", account);
        if (request.Limit is null)
        {
            errors.Add("limit", "is required");
        }
        else if (request.Limit is < 0 or > MaxLimit)
        {
            errors.Add("limit", $"must be from 0 to {MaxLimit}");
        }

        errors.ThrowIfAny();
        if (!await accountExists(account, cancellationToken).ConfigureAwait(false))
        {
            throw NimbusException.NotFound($"Account '{account}'");
        }

        await _store.WriteAsync<bool>(
            async (w, ct) =>
            {
                await w.PutValueAsync(LimitNamespace, LimitKey(account, definition.Code), Encode(request.Limit!.Value), ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
        var list = await ListAsync(account, cancellationToken).ConfigureAwait(false);
        return list.Items.Single(q => q.Code == definition.Code);
    }

    /// <summary>Throws 403 <c>AccessDenied</c> unless the caller administers the platform.</summary>
    public static void EnsureAdministrator(CallerContext caller, string action)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (!caller.IsPlatformAdministrator)
        {
            throw NimbusException.AccessDenied($"{caller.Principal} is not allowed to perform {action}: only platform administrators manage quotas.");
        }
    }

    /// <summary>Account ids are 12 digits, not starting with 0.</summary>
    public static void ValidateAccount(FieldErrors errors, string field, string? account)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (account is null || account.Length != 12 || account[0] == '0' || !account.All(char.IsAsciiDigit))
        {
            errors.Add(field, "must be an account id: 12 digits");
        }
    }

    private async Task<long> ConsumeCoreAsync(IStoreWriter writer, string account, QuotaDefinition definition, string? holder, long amount, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amount);
        var usageKey = UsageKey(account, definition.Code, holder);
        await writer.LockKeyAsync(UsageNamespace, usageKey, cancellationToken).ConfigureAwait(false);
        var usageValue = await writer.GetValueAsync(UsageNamespace, usageKey, cancellationToken).ConfigureAwait(false);
        var usage = usageValue is null ? 0 : Decode(usageValue);
        var limitValue = await writer.GetValueAsync(LimitNamespace, LimitKey(account, definition.Code), cancellationToken).ConfigureAwait(false);
        var limit = limitValue is null ? definition.DefaultLimit : Decode(limitValue);
        if (usage + amount > limit)
        {
            var whose = holder is null ? $"account {account}" : $"user {holder} of account {account}";
            throw new NimbusException(
                ErrorCodes.QuotaExceeded,
                409,
                $"Quota {definition.Code} of {whose} is exceeded: limit {limit}, usage {usage}, requested {amount} {definition.Unit}. Free some, or ask a platform administrator to raise the limit.")
            {
                Quota = new QuotaProblemDto { Code = definition.Code, Limit = limit, Usage = usage, Requested = amount },
            };
        }

        await writer.PutValueAsync(UsageNamespace, usageKey, Encode(usage + amount), cancellationToken).ConfigureAwait(false);
        return usage + amount;
    }

    private static async Task<long> ReleaseCoreAsync(IStoreWriter writer, string usageKey, long amount, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amount);
        await writer.LockKeyAsync(UsageNamespace, usageKey, cancellationToken).ConfigureAwait(false);
        var usageValue = await writer.GetValueAsync(UsageNamespace, usageKey, cancellationToken).ConfigureAwait(false);
        var usage = Math.Max(0, (usageValue is null ? 0 : Decode(usageValue)) - amount);
        await writer.PutValueAsync(UsageNamespace, usageKey, Encode(usage), cancellationToken).ConfigureAwait(false);
        return usage;
    }

    private QuotaDefinition Require(string code, QuotaScope scope)
    {
        var definition = Find(code) ?? throw new InvalidOperationException($"quota '{code}' is not registered");
        return definition.Scope == scope ? definition : throw new InvalidOperationException($"quota '{code}' is {definition.Scope}-scoped");
    }

    private static string UsageKey(string account, string code, string? holder) =>
        holder is null ? account + "/" + code : account + "/" + code + "/" + holder;

    private static string LimitKey(string account, string code) => account + "/" + code;

    private static byte[] Encode(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        return bytes;
    }

    private static long Decode(byte[] value) => value.Length == 8 ? BinaryPrimitives.ReadInt64LittleEndian(value) : 0;
}
