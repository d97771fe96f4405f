using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Iam;
using Nimbus.Core.Api;
using Nimbus.Core.Errors;
using Nimbus.Core.Resources;
using Nimbus.Core.Security;
using Nimbus.Core.Store;

namespace Nimbus.Iam.Mfa;

/// <summary>
/// One virtual MFA device per user: created pending (secret shown once), enabled with two
/// consecutive codes, then required codes are accepted once each (no replay within the window).
/// The secret is stored encrypted under the data directory's master key.
/// </summary>
public sealed class MfaService(IResourceStore store, SecretProtector protector, TimeProvider time)
{
    public const string Issuer = "Nimbus";
    private const string Namespace = "iam.mfa";

    public async Task<CreateMfaDeviceResponse> CreateAsync(string account, string userId, CancellationToken cancellationToken)
    {
        var user = await UserAsync(account, userId, cancellationToken).ConfigureAwait(false);
        var secret = RandomNumberGenerator.GetBytes(20);
        await store.WriteAsync<bool>(
            async (w, ct) =>
            {
                var existing = await ReadAsync(w, userId, ct).ConfigureAwait(false);
                if (existing is { Enabled: true })
                {
                    throw new NimbusException(ErrorCodes.Conflict, 409, $"User '{user.Name}' already has an enabled MFA device; delete it first.");
                }

                await WriteAsync(w, userId, new MfaRecord(Convert.ToBase64String(secret), false, null, 0), ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
        return new CreateMfaDeviceResponse
        {
            Device = new MfaDeviceDto { SerialNumber = SerialOf(user), UserName = user.Name },
            Base32Secret = Base32.Encode(secret),
            ProvisioningUri = Totp.ProvisioningUri(Issuer, $"{user.Name}@{account}", secret),
        };
    }

    public async Task<MfaDeviceDto> EnableAsync(string account, string userId, EnableMfaDeviceRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        if (string.IsNullOrEmpty(request.Code1))
        {
            errors.Add("code1", "is required");
        }

        if (string.IsNullOrEmpty(request.Code2))
        {
            errors.Add("code2", "is required");
        }

        errors.ThrowIfAny();
        var user = await UserAsync(account, userId, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var record = await store.WriteAsync(
            async (w, ct) =>
            {
                var current = await ReadAsync(w, userId, ct).ConfigureAwait(false) ?? throw NimbusException.NotFound($"MFA device of user '{user.Name}'");
                if (current.Enabled)
                {
                    return current;
                }

                var step = TotpEnrollment.Verify(Convert.FromBase64String(current.Secret), request.Code1!, request.Code2!, now)
                    ?? throw NimbusException.Invalid("code2", "the codes are not two consecutive codes of this device; wait for the next two and try again");
                var enabled = current with { Enabled = true, EnabledAt = now, LastStep = step };
                await WriteAsync(w, userId, enabled, ct).ConfigureAwait(false);
                return enabled;
            },
            cancellationToken).ConfigureAwait(false);
        return ToDto(user, record);
    }

    public async Task<MfaDeviceDto> GetAsync(string account, string userId, CancellationToken cancellationToken)
    {
        var user = await UserAsync(account, userId, cancellationToken).ConfigureAwait(false);
        var stored = await store.GetValueAsync(Namespace, userId, cancellationToken).ConfigureAwait(false);
        return stored is null ? throw NimbusException.NotFound($"MFA device of user '{user.Name}'") : ToDto(user, Unseal(userId, stored));
    }

    public async Task DeleteAsync(string account, string userId, CancellationToken cancellationToken)
    {
        var user = await UserAsync(account, userId, cancellationToken).ConfigureAwait(false);
        await store.WriteAsync<bool>(
            async (w, ct) => await w.DeleteValueAsync(Namespace, userId, ct).ConfigureAwait(false) ? true : throw NimbusException.NotFound($"MFA device of user '{user.Name}'"),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Accepts a code of the user's enabled device once (its step must be newer than the last accepted one).</summary>
    public Task<bool> VerifyCodeAsync(string userId, string code, CancellationToken cancellationToken) =>
        store.WriteAsync(
            async (w, ct) =>
            {
                var current = await ReadAsync(w, userId, ct).ConfigureAwait(false);
                if (current is not { Enabled: true })
                {
                    return false;
                }

                var step = TotpEnrollment.VerifySignIn(Convert.FromBase64String(current.Secret), code, current.LastStep, time.GetUtcNow());
                if (step is null)
                {
                    return false;
                }

                await WriteAsync(w, userId, current with { LastStep = step.Value }, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken);

    /// <summary>True when the user has an enabled device.</summary>
    public async Task<bool> IsEnabledAsync(string userId, CancellationToken cancellationToken)
    {
        var stored = await store.GetValueAsync(Namespace, userId, cancellationToken).ConfigureAwait(false);
        return stored is not null && Unseal(userId, stored).Enabled;
    }

    private static string SerialOf(Resource user) => Nrn.Format("iam/mfa", IamKinds.GlobalRegion, user.Account, user.Name);

    private static MfaDeviceDto ToDto(Resource user, MfaRecord record) =>
        new() { SerialNumber = SerialOf(user), UserName = user.Name, Enabled = record.Enabled, EnabledAt = record.EnabledAt };

    private async Task<Resource> UserAsync(string account, string userId, CancellationToken cancellationToken)
    {
        var user = await store.GetAsync(userId, cancellationToken).ConfigureAwait(false);
        return user is { Kind: IamKinds.User } && user.Account == account ? user : throw NimbusException.NotFound($"User '{userId}'");
    }

    private async Task<MfaRecord?> ReadAsync(IStoreWriter writer, string userId, CancellationToken cancellationToken)
    {
        var stored = await writer.GetValueAsync(Namespace, userId, cancellationToken).ConfigureAwait(false);
        return stored is null ? null : Unseal(userId, stored);
    }

    private Task WriteAsync(IStoreWriter writer, string userId, MfaRecord record, CancellationToken cancellationToken) =>
        writer.PutValueAsync(Namespace, userId, protector.Protect(JsonSerializer.SerializeToUtf8Bytes(record, NimbusJson.Options), Encoding.UTF8.GetBytes(userId)), cancellationToken);

    private MfaRecord Unseal(string userId, byte[] stored) =>
        JsonSerializer.Deserialize<MfaRecord>(protector.Unprotect(stored, Encoding.UTF8.GetBytes(userId)), NimbusJson.Options)!;

    private sealed record MfaRecord(string Secret, bool Enabled, DateTimeOffset? EnabledAt, long LastStep)
    {
        public override string ToString() => $"MfaRecord {{ Enabled = {Enabled} }}";
    }
}
