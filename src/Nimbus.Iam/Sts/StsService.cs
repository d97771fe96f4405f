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
/// with it must carry the token and are refused once it expires, is revoked, or the role is gone.
/// </summary>
/// <remarks>
/// Revocation must hold on every control-plane replica at once, so nothing that says whether a session
/// is still valid is cached: each request reads the session's stored record (one key lookup; only the
/// decryption is cached, keyed by the stored bytes) and, for a role session, the role (the store's cached
/// GET, which the authorizer reads anyway).
/// </remarks>
public sealed class StsService(IResourceStore store, IActionCatalog catalog, SecretProtector protector, Mfa.MfaService mfa, TimeProvider time)
{
    public const string SessionKeyPrefix = "NSIA";

    /// <summary>A role's session list keeps at most this many (the latest); older ones stay valid, and revocable, but are not listed.</summary>
    public const int MaxListedSessions = 1000;

    private const string SessionNamespace = "sts.session";
    /// <summary>Key/value namespace of each role's session list, keyed by role id.</summary>
    internal const string RoleSessionsNamespace = "sts.role-sessions";
    private readonly ConcurrentDictionary<string, CachedSession> _cache = new(StringComparer.Ordinal);

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

        return await IssueAsync(RoleSession(role, request.SessionName!, caller.Principal, duration, sessionPolicy?.ToJson()), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A service's own AssumeRole (e.g. compute for an instance profile): the role (by id, in <paramref name="account"/>)
    /// must trust <paramref name="service"/>; the session is named <paramref name="sessionName"/> (the instance id) and
    /// lasts the role's default (at most its maximum). Throws <c>AccessDenied</c> when the trust policy does not allow
    /// it and <c>NotFound</c> when the role is gone.
    /// </summary>
    public async Task<TemporaryCredentialsDto> AssumeRoleForServiceAsync(string service, string account, string roleId, string sessionName, CancellationToken cancellationToken)
    {
        var role = await store.GetAsync(roleId, cancellationToken).ConfigureAwait(false);
        if (role is not { Kind: IamKinds.Role } || role.Account != account)
        {
            throw NimbusException.NotFound($"Role '{roleId}'");
        }

        var spec = RoleService.SpecOf(role);
        var principal = ServicePrincipals.PrincipalOf(service);
        if (!TrustAllows(spec.TrustPolicy, role, principal, "", ""))
        {
            throw NimbusException.AccessDenied($"{service} is not allowed to assume {role.Nrn}: its trust policy does not name the service principal {service}.");
        }

        var duration = Math.Min(RoleService.DefaultSessionSeconds, spec.MaxSessionDurationSeconds ?? RoleService.DefaultSessionSeconds);
        return await IssueAsync(RoleSession(role, sessionName, principal, duration, policy: null), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A session of <paramref name="role"/> for <paramref name="sourcePrincipal"/>, lasting <paramref name="seconds"/> from now; secret and token hash are set when issued.</summary>
    private SessionRecord RoleSession(Resource role, string sessionName, string sourcePrincipal, int seconds, string? policy) => new()
    {
        Secret = "",
        TokenHash = "",
        RoleId = role.Id,
        RoleName = role.Name,
        Account = role.Account,
        SessionName = sessionName,
        SourcePrincipal = sourcePrincipal,
        ExpiresAt = time.GetUtcNow().AddSeconds(seconds),
        Policy = policy,
    };

    /// <summary>True when the role's trust policy lets <paramref name="service"/> assume it (checked when an instance is given the role).</summary>
    public bool TrustsService(Resource role, string service)
    {
        ArgumentNullException.ThrowIfNull(role);
        return TrustAllows(RoleService.SpecOf(role).TrustPolicy, role, ServicePrincipals.PrincipalOf(service), "", "");
    }

    private async Task<TemporaryCredentialsDto> IssueAsync(SessionRecord template, CancellationToken cancellationToken)
    {
        var accessKeyId = AccessKeys.AccessKeyService.NewAccessKeyId(SessionKeyPrefix);
        var token = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(48));
        var record = template with
        {
            Secret = AccessKeys.AccessKeyService.NewSecret(),
            TokenHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token))),
            IssuedAt = time.GetUtcNow(),
        };
        var sealedRecord = Seal(record, accessKeyId);
        await store.WriteAsync<bool>(
            async (w, ct) =>
            {
                if (record.RoleId is { } roleId)
                {
                    await w.LockKeyAsync(RoleSessionsNamespace, roleId, ct).ConfigureAwait(false);
                    var listed = await ReadListAsync(w, roleId, ct).ConfigureAwait(false);
                    listed.RemoveAll(entry => entry.ExpiresAt <= record.IssuedAt);
                    listed.Add(ToDto(accessKeyId, record));
                    if (listed.Count > MaxListedSessions)
                    {
                        listed.RemoveRange(0, listed.Count - MaxListedSessions);
                    }

                    await w.PutValueAsync(RoleSessionsNamespace, roleId, JsonSerializer.SerializeToUtf8Bytes(listed, NimbusJson.Options), ct).ConfigureAwait(false);
                }

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

    /// <summary>The session of a temporary access key id, or null when unknown. Read from the store on every call (see remarks).</summary>
    public async ValueTask<SessionRecord?> FindSessionAsync(string accessKeyId, CancellationToken cancellationToken)
    {
        if (accessKeyId.Length > 64)
        {
            return null;
        }

        var stored = await store.GetValueAsync(SessionNamespace, accessKeyId, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            _cache.TryRemove(accessKeyId, out _);
            return null;
        }

        if (_cache.TryGetValue(accessKeyId, out var cached) && cached.Sealed.AsSpan().SequenceEqual(stored))
        {
            return cached.Record;
        }

        var record = Open(stored, accessKeyId);
        if (_cache.Count > 100_000)
        {
            _cache.Clear();
        }

        _cache[accessKeyId] = new CachedSession(stored, record);
        return record;
    }

    /// <summary>
    /// When the session was revoked — on its own, or with every session of its role issued up to the moment of
    /// <see cref="RevokeRoleSessionsAsync"/> — or null while it is not.
    /// </summary>
    public async ValueTask<DateTimeOffset?> RevokedAtAsync(SessionRecord session, CancellationToken cancellationToken)
    {
        if (session.RevokedAt is { } revoked)
        {
            return revoked;
        }

        if (session.RoleId is null)
        {
            return null;
        }

        // A deleted role is the authorizer's to refuse; only the revocation time is read here, without deserializing the spec.
        var role = await store.GetAsync(session.RoleId, cancellationToken).ConfigureAwait(false);
        return role is { Kind: IamKinds.Role } && RevokedBefore(role) is { } before && (session.IssuedAt ?? DateTimeOffset.MinValue) <= before ? before : null;
    }

    /// <summary>Revokes one session (role or GetSessionToken) of the caller's account by its access key id; revoking it again changes nothing.</summary>
    public async Task<SessionDto> RevokeSessionAsync(CallerContext caller, string? accessKeyId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(accessKeyId) || !IsSessionKey(accessKeyId) || accessKeyId.Length > 64)
        {
            throw NimbusException.Invalid("accessKeyId", $"must be the access key id of temporary credentials ({SessionKeyPrefix}...)");
        }

        var now = time.GetUtcNow();
        var record = await store.WriteAsync(
            async (w, ct) =>
            {
                var stored = await w.GetValueAsync(SessionNamespace, accessKeyId, ct).ConfigureAwait(false);
                var session = stored is null ? null : Open(stored, accessKeyId);
                if (session is null || session.Account != caller.Account)
                {
                    throw NimbusException.NotFound($"Session '{accessKeyId}'");
                }

                if (session.RevokedAt is not null)
                {
                    return session;
                }

                session = session with { RevokedAt = now };
                await w.PutValueAsync(SessionNamespace, accessKeyId, Seal(session, accessKeyId), ct).ConfigureAwait(false);
                if (session.RoleId is { } roleId)
                {
                    await w.LockKeyAsync(RoleSessionsNamespace, roleId, ct).ConfigureAwait(false);
                    var listed = await ReadListAsync(w, roleId, ct).ConfigureAwait(false);
                    if (listed.RemoveAll(entry => entry.AccessKeyId == accessKeyId) > 0)
                    {
                        await w.PutValueAsync(RoleSessionsNamespace, roleId, JsonSerializer.SerializeToUtf8Bytes(listed, NimbusJson.Options), ct).ConfigureAwait(false);
                    }
                }

                return session;
            },
            cancellationToken).ConfigureAwait(false);
        _cache.TryRemove(accessKeyId, out _);
        return ToDto(accessKeyId, record);
    }

    /// <summary>
    /// Revokes every session of a role issued up to now (AWS's "revoke active sessions"): the role records the
    /// moment, so sessions opened afterwards work.
    /// </summary>
    public async Task<Resource> RevokeRoleSessionsAsync(string account, string roleId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return await store.WriteAsync(
            async (w, ct) =>
            {
                var role = await w.GetAsync(roleId, ct).ConfigureAwait(false);
                if (role is not { Kind: IamKinds.Role } || role.Account != account)
                {
                    throw NimbusException.NotFound($"Role '{roleId}'");
                }

                await w.LockKeyAsync(RoleSessionsNamespace, roleId, ct).ConfigureAwait(false);
                await w.DeleteValueAsync(RoleSessionsNamespace, roleId, ct).ConfigureAwait(false);
                var spec = RoleService.SpecOf(role) with { SessionsRevokedBefore = now };
                return await w.UpdateAsync(role with { Spec = JsonSerializer.SerializeToElement(spec, NimbusJson.Options), UpdatedAt = now }, ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The role's sessions that still work (not expired, not revoked), latest last; at most <see cref="MaxListedSessions"/>.</summary>
    public async Task<IReadOnlyList<SessionDto>> ListRoleSessionsAsync(string account, string roleId, CancellationToken cancellationToken)
    {
        var role = await store.GetAsync(roleId, cancellationToken).ConfigureAwait(false);
        if (role is not { Kind: IamKinds.Role } || role.Account != account)
        {
            throw NimbusException.NotFound($"Role '{roleId}'");
        }

        var stored = await store.GetValueAsync(RoleSessionsNamespace, roleId, cancellationToken).ConfigureAwait(false);
        var listed = stored is null ? [] : JsonSerializer.Deserialize<List<SessionDto>>(stored, NimbusJson.Options) ?? [];
        var now = time.GetUtcNow();
        var before = RevokedBefore(role);
        return listed.Where(entry => entry.ExpiresAt > now && entry.RevokedAt is null && !(before is { } b && (entry.IssuedAt ?? DateTimeOffset.MinValue) <= b)).ToArray();
    }

    /// <summary>True when <paramref name="token"/> is the session's token (constant-time on hashes).</summary>
    public static bool TokenMatches(SessionRecord session, string? token) =>
        token is not null && CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)))),
            Encoding.ASCII.GetBytes(session.TokenHash));

    private static DateTimeOffset? RevokedBefore(Resource role) =>
        role.Spec.ValueKind == JsonValueKind.Object && role.Spec.TryGetProperty("sessionsRevokedBefore", out var value)
            && value.ValueKind == JsonValueKind.String && value.TryGetDateTimeOffset(out var before)
            ? before
            : null;

    private static SessionDto ToDto(string accessKeyId, SessionRecord record) => new()
    {
        AccessKeyId = accessKeyId,
        SessionName = record.SessionName,
        Principal = record.Principal,
        SourcePrincipal = record.SourcePrincipal,
        IssuedAt = record.IssuedAt,
        ExpiresAt = record.ExpiresAt,
        RevokedAt = record.RevokedAt,
    };

    private static async Task<List<SessionDto>> ReadListAsync(IStoreWriter writer, string roleId, CancellationToken cancellationToken)
    {
        var stored = await writer.GetValueAsync(RoleSessionsNamespace, roleId, cancellationToken).ConfigureAwait(false);
        return stored is null ? [] : JsonSerializer.Deserialize<List<SessionDto>>(stored, NimbusJson.Options) ?? [];
    }

    private byte[] Seal(SessionRecord record, string accessKeyId) =>
        protector.Protect(JsonSerializer.SerializeToUtf8Bytes(record, NimbusJson.Options), Encoding.UTF8.GetBytes(accessKeyId));

    private SessionRecord Open(byte[] stored, string accessKeyId) =>
        JsonSerializer.Deserialize<SessionRecord>(protector.Unprotect(stored, Encoding.UTF8.GetBytes(accessKeyId)), NimbusJson.Options)
        ?? throw new InvalidOperationException($"session record {accessKeyId} is empty");

    private sealed record CachedSession(byte[] Sealed, SessionRecord Record);

    private bool TrustAllows(string? trustPolicy, Resource role, CallerContext caller) => TrustAllows(trustPolicy, role, caller.Principal, caller.Account, caller.Account);

    /// <remarks>A service principal belongs to no account (<paramref name="principalAccount"/> empty): only a statement naming the service, or <c>*</c>, lets it in, never an account's root; the role is evaluated as a resource of no account too, so that the service's request is not cross-account.</remarks>
    private bool TrustAllows(string? trustPolicy, Resource role, string principal, string principalAccount, string resourceAccount)
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
                PrincipalNrn = principal,
                PrincipalAccount = principalAccount,
                ResourceAccount = resourceAccount,
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
