using System.Text.Json;
using Nimbus.Contracts.Iam;
using Nimbus.Core.Api;
using Nimbus.Core.Store;
using Nimbus.Iam.Passwords;

namespace Nimbus.Iam.Principals;

/// <summary>Each account's password policy, kept in the key/value space; the default until an administrator sets one.</summary>
public sealed class PasswordPolicyService(IResourceStore store)
{
    private const string Namespace = "iam.password-policy";

    public async Task<PasswordPolicy> GetAsync(string account, CancellationToken cancellationToken)
    {
        var stored = await store.GetValueAsync(Namespace, account, cancellationToken).ConfigureAwait(false);
        return stored is null ? new PasswordPolicy() : FromDto(JsonSerializer.Deserialize<PasswordPolicyDto>(stored, NimbusJson.Options)!);
    }

    public async Task<PasswordPolicyDto> SetAsync(string account, PasswordPolicyDto policy, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        if (policy.MinimumLength is < 8 or > PasswordPolicy.MaximumLength)
        {
            errors.Add("minimumLength", $"must be from 8 to {PasswordPolicy.MaximumLength}");
        }

        if (policy.PreventReuse is < 0 or > 24)
        {
            errors.Add("preventReuse", "must be from 0 to 24");
        }

        if (policy.MaxAgeDays is < 0 or > 1095)
        {
            errors.Add("maxAgeDays", "must be from 0 (never) to 1095");
        }

        errors.ThrowIfAny();
        var bytes = JsonSerializer.SerializeToUtf8Bytes(policy, NimbusJson.Options);
        await store.WriteAsync<bool>(
            async (w, ct) =>
            {
                await w.PutValueAsync(Namespace, account, bytes, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
        return policy;
    }

    public static PasswordPolicyDto ToDto(PasswordPolicy policy) => new()
    {
        MinimumLength = policy.MinimumLength,
        RequireUppercase = policy.RequireUppercase,
        RequireLowercase = policy.RequireLowercase,
        RequireDigits = policy.RequireDigits,
        RequireSymbols = policy.RequireSymbols,
        PreventReuse = policy.PreventReuse,
        MaxAgeDays = policy.MaxAgeDays,
    };

    private static PasswordPolicy FromDto(PasswordPolicyDto dto) => new()
    {
        MinimumLength = dto.MinimumLength,
        RequireUppercase = dto.RequireUppercase,
        RequireLowercase = dto.RequireLowercase,
        RequireDigits = dto.RequireDigits,
        RequireSymbols = dto.RequireSymbols,
        PreventReuse = dto.PreventReuse,
        MaxAgeDays = dto.MaxAgeDays,
    };
}
