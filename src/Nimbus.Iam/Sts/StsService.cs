using System.Collections.Concurrent;
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
using Nimbus.Iam.Policies;
using Nimbus.Iam.Principals;

namespace Nimbus.Iam.Sts;

/// <summary>
/// <c>sts:AssumeRole</c>: temporary credentials for a role session. The session (secret, a hash
/// of its token, role, expiry, optional session policy) is stored encrypted; requests signed
/// with it must carry the token and are refused once it expires or the role is gone.
/// </summary>
public sealed class StsService(IResourceStore store, IActionCatalog catalog, SecretProtector protector, Mfa.MfaService mfa, TimeProvider time)
{
    public const string SessionKeyPrefix = "NSIA";
    private const string SessionNamespace = "sts.session";
    private readonly ConcurrentDictionary<string, SessionRecord?> _cache = new(StringComparer.Ordinal);

    public static bool IsSessionKey(string accessKeyId) => accessKeyId.StartsWith(SessionKeyPrefix, StringComparison.Ordinal);

    public async Task<TemporaryCredentialsDto> AssumeRoleAsync(CallerContext caller, AssumeRoleRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        if (string.IsNullOrEmpty(request.Role))
        {
            errors.Add("role", "is required");
        }

        IamValidation.Name(errors, "sessionName", request.SessionName, 64);
        if (request.SessionName is { Length: < 2 })
        {
            errors.Add("sessionName", "must be at least 2 characters");
        }

        PolicyDocument? sessionPolicy = null;
        if (request.Policy is not null)
        {
            var parsed = PolicyDocument.Parse(request.Policy, catalog);
            foreach (var error in parsed.Errors)
            {
                errors.Add("policy", error.ToString());
            }

            sessionPolicy = parsed.Document;
        }

        errors.ThrowIfAny();
        var role = await FindRoleAsync(caller.Account, request.Role!, cancellationToken).ConfigureAwait(false);
        var spec = RoleService.SpecOf(role);
        var maximum = spec.MaxSessionDurationSeconds ?? RoleService.DefaultSessionSeconds;
        var duration = request.DurationSeconds ?? Math.Min(RoleService.DefaultSessionSeconds, maximum);
        if (duration < RoleService.MinSessionSeconds || duration > maximum)
        {
            throw NimbusException.Invalid("durationSeconds", $"must be from {RoleService.MinSessionSeconds} to the role's maximum of {maximum} seconds");
        }

        if (!TrustAllows(spec.TrustPolicy, role, caller))
        {
            throw NimbusException.AccessDenied($"{caller.Principal} is not allowed to assume {role.Nrn}: its trust policy does not name it.");
        }

        var now = time.GetUtcNow();
        return await IssueAsync(
            new SessionRecord
            {
                Secret = "",
                TokenHash = "",
                RoleId = role.Id,
            RoleName = role.Name,
            Account = role.Account,
            SessionName = request.SessionName!,
            SourcePrincipal = caller.Principal,
                ExpiresAt = now.AddSeconds(duration),
                Policy = sessionPolicy?.ToJson(),
            },
            cancellationToken).ConfigureAwait(false);
    }

    private async Task<TemporaryCredentialsDto> IssueAsync(SessionRecord template, CancellationToken cancellationToken)
    {
        var accessKeyId = AccessKeys.AccessKeyService.NewAccessKeyId(SessionKeyPrefix);
        var token = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(48));
        var record = template with
        {
            Secret = AccessKeys.AccessKeyService.NewSecret(),
            TokenHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token))),
        };
        var sealedRecord = protector.Protect(JsonSerializer.SerializeToUtf8Bytes(record, NimbusJson.Options), Encoding.UTF8.GetBytes(accessKeyId));
        await store.WriteAsync<bool>(
            async (w, ct) =>
            {
                await w.PutValueAsync(SessionNamespace, accessKeyId, sealedRecord, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
        return new TemporaryCredentialsDto
        {
            AccessKeyId = accessKeyId,
            SecretAccessKey = record.Secret,
            SessionToken = token,
            Expiration = record.ExpiresAt,
            Principal = record.Principal,
        };
    }

    /// <summary>
    /// <c>sts:GetSessionToken</c>: temporary credentials for the calling user itself; with a valid
    /// MFA code the session counts as MFA-authenticated. Not callable with temporary credentials.
    /// </summary>
    public async Task<TemporaryCredentialsDto> GetSessionTokenAsync(CallerContext caller, GetSessionTokenRequest request, CancellationToken cancellationToken)
    {
        if (caller.SessionToken is not null || caller.UserName is null)
        {
            throw NimbusException.AccessDenied("GetSessionToken needs a user's long-term access key, not temporary credentials.");
        }

        var duration = request.DurationSeconds ?? RoleService.DefaultSessionSeconds;
        if (duration < RoleService.MinSessionSeconds || duration > RoleService.MaxSessionSeconds)
        {
            throw NimbusException.Invalid("durationSeconds", $"must be from {RoleService.MinSessionSeconds} to {RoleService.MaxSessionSeconds}");
        }

        var userId = caller.Principal[(caller.Principal.LastIndexOf('/') + 1)..];
        var mfaAuthenticated = false;
        if (request.MfaCode is not null)
        {
            if (!await mfa.VerifyCodeAsync(userId, request.MfaCode, cancellationToken).ConfigureAwait(false))
            {
                throw NimbusException.AccessDenied("The MFA code is not valid for this user's device (or was already used).");
            }

            mfaAuthenticated = true;
        }

        return await IssueAsync(
            new SessionRecord
            {
                Secret = "",
                TokenHash = "",
                Account = caller.Account,
                SessionName = caller.UserName,
                SourcePrincipal = caller.Principal,
                ExpiresAt = time.GetUtcNow().AddSeconds(duration),
                MfaAuthenticated = mfaAuthenticated,
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The session of a temporary access key id, or null when unknown.</summary>
    public async ValueTask<SessionRecord?> FindSessionAsync(string accessKeyId, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(accessKeyId, out var cached))
        {
            return cached;
        }

        var stored = accessKeyId.Length <= 64 ? await store.GetValueAsync(SessionNamespace, accessKeyId, cancellationToken).ConfigureAwait(false) : null;
        var record = stored is null ? null : JsonSerializer.Deserialize<SessionRecord>(protector.Unprotect(stored, Encoding.UTF8.GetBytes(accessKeyId)), NimbusJson.Options);
        if (_cache.Count > 100_000)
        {
            _cache.Clear();
        }

        if (record is not null)
        {
            _cache[accessKeyId] = record;
        }

        return record;
    }

    /// <summary>True when <paramref name="token"/> is the session's token (constant-time on hashes).</summary>
    public static bool TokenMatches(SessionRecord session, string? token) =>
        token is not null && CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)))),
            Encoding.ASCII.GetBytes(session.TokenHash));

    private bool TrustAllows(string? trustPolicy, Resource role, CallerContext caller)
    {
        if (trustPolicy is null)
        {
            return false;
        }

        var parsed = PolicyDocument.Parse(trustPolicy, catalog, PolicyKind.Trust);
        if (!parsed.Succeeded)
        {
            return false;
        }

        // The trust policy is the role's resource policy; the caller's own permission to call
        // sts:AssumeRole was decided by the request pipeline already.
        var decision = CompiledPolicySet.Compile([]).Evaluate(
            new AuthorizationRequest
            {
                Action = "sts:AssumeRole",
                Resource = role.Nrn,
                PrincipalNrn = caller.Principal,
                PrincipalAccount = caller.Account,
                ResourceAccount = caller.Account,
            },
            CompiledPolicy.ForResource(new AttachedPolicy(role.Id, role.Name + " trust policy", parsed.Document!)));
        return decision.IsAllowed;
    }

    private async Task<Resource> FindRoleAsync(string callerAccount, string reference, CancellationToken cancellationToken)
    {
        Resource? role;
        if (reference.StartsWith(Nrn.Prefix, StringComparison.Ordinal))
        {
            var slash = reference.LastIndexOf('/');
            role = slash < 0 ? null : await store.GetAsync(reference[(slash + 1)..], cancellationToken).ConfigureAwait(false);
            if (role is not null && role.Nrn != reference)
            {
                role = null;
            }
        }
        else
        {
            role = await store.GetByNameAsync(callerAccount, IamKinds.Role, reference, cancellationToken).ConfigureAwait(false);
        }

        return role is { Kind: IamKinds.Role } ? role : throw NimbusException.NotFound($"Role '{reference}'");
    }
}
