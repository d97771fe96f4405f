using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Iam;
using Nimbus.Core.Api;
using Nimbus.Core.Errors;
using Nimbus.Core.Store;
using Nimbus.Iam.Mfa;
using Nimbus.Iam.Principals;

namespace Nimbus.Iam.Console;

/// <summary>
/// Web console sign-in: password (and MFA code when the user has a device) for a session cookie.
/// After five failures in a row the user is locked out for 30 s, doubling with each further failure up to 15 minutes; cookie sessions need a CSRF token on
/// every state change. The store keeps only a hash of the cookie value.
/// </summary>
public sealed class ConsoleSessionService(IResourceStore store, UserService users, MfaService mfa, TimeProvider time)
{
    public const string CookieName = "nimbus_session";
    public const string CsrfHeader = "X-CSRF-Token";
    public const int FreeAttempts = 5;
    private const string Namespace = "console.session";
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);
    private static readonly TimeSpan MaxLockout = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan FirstLockout = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<string, (int Failures, DateTimeOffset LockedUntil)> _failures = new(StringComparer.Ordinal);

    public async Task<(ConsoleSessionDto Session, string Cookie)> LoginAsync(ConsoleLoginRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        if (string.IsNullOrEmpty(request.Account))
        {
            errors.Add("account", "is required");
        }

        IamValidation.Name(errors, "userName", request.UserName, UserService.MaxNameLength);
        if (string.IsNullOrEmpty(request.Password))
        {
            errors.Add("password", "is required");
        }

        errors.ThrowIfAny();
        var lockKey = request.Account!.ToUpperInvariant() + "/" + request.UserName;
        var now = time.GetUtcNow();
        if (_failures.TryGetValue(lockKey, out var state) && state.LockedUntil > now)
        {
            throw Locked(state.LockedUntil - now);
        }

        var account = await ResolveAccountAsync(request.Account, cancellationToken).ConfigureAwait(false);
        var user = account is null ? null : await store.GetByNameAsync(account, IamKinds.User, request.UserName!, cancellationToken).ConfigureAwait(false);

        // The same answer whatever was wrong (account, user, password or code), so sign-in cannot probe names.
        var ok = user is not null && await users.VerifyPasswordAsync(user.Id, request.Password!, cancellationToken).ConfigureAwait(false);
        var mfaUsed = false;
        if (ok && await mfa.IsEnabledAsync(user!.Id, cancellationToken).ConfigureAwait(false))
        {
            ok = request.MfaCode is not null && await mfa.VerifyCodeAsync(user.Id, request.MfaCode, cancellationToken).ConfigureAwait(false);
            mfaUsed = ok;
        }

        if (!ok)
        {
            // From the moment the attempt failed, not when it began: a slow password check (600,000
            // PBKDF2 rounds on a busy machine) must not use up the lockout before the next attempt.
            var failed = time.GetUtcNow();
            var failures = (state.Failures) + 1;
            var lockedUntil = failures >= FreeAttempts
                ? failed + TimeSpan.FromSeconds(Math.Min(MaxLockout.TotalSeconds, FirstLockout.TotalSeconds * Math.Pow(2, failures - FreeAttempts)))
                : failed;
            _failures[lockKey] = (failures, lockedUntil);
            throw new NimbusException(ErrorCodes.AccessDenied, 403, "The account, user name, password or MFA code is not right.");
        }

        _failures.TryRemove(lockKey, out _);
        if (await users.PasswordExpiredAsync(user!.Account, user.Id, cancellationToken).ConfigureAwait(false))
        {
            throw new NimbusException(ErrorCodes.PasswordExpired, 403, "The password has expired under the account's password policy; an administrator must set a new one.");
        }

        var cookie = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var session = new ConsoleSession(user!.Id, user.Name, user.Account, user.Nrn, System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(24)), now + Lifetime, mfaUsed);
        await store.WriteAsync<bool>(
            async (w, ct) =>
            {
                await w.PutValueAsync(Namespace, HashOf(cookie), JsonSerializer.SerializeToUtf8Bytes(session, NimbusJson.Options), ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
        return (new ConsoleSessionDto { Principal = session.Principal, Account = session.Account, ExpiresAt = session.ExpiresAt, CsrfToken = session.CsrfToken }, cookie);
    }

    /// <summary>The live session of a cookie value, or null (unknown or expired).</summary>
    public async Task<ConsoleSession?> FindAsync(string cookie, CancellationToken cancellationToken)
    {
        if (cookie.Length is 0 or > 128)
        {
            return null;
        }

        var stored = await store.GetValueAsync(Namespace, HashOf(cookie), cancellationToken).ConfigureAwait(false);
        var session = stored is null ? null : JsonSerializer.Deserialize<ConsoleSession>(stored, NimbusJson.Options);
        return session is not null && session.ExpiresAt > time.GetUtcNow() ? session : null;
    }

    public Task LogoutAsync(string cookie, CancellationToken cancellationToken) =>
        store.WriteAsync((w, ct) => w.DeleteValueAsync(Namespace, HashOf(cookie), ct), cancellationToken);

    public static bool CsrfMatches(ConsoleSession session, string? token) =>
        token is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(session.CsrfToken));

    private async Task<string?> ResolveAccountAsync(string account, CancellationToken cancellationToken)
    {
        if (account.Length == 12 && account.All(char.IsAsciiDigit))
        {
            return account;
        }

        var byName = await store.ListAsync(new ResourceQuery { Kind = IamKinds.Account, Name = account, PageSize = 1 }, cancellationToken).ConfigureAwait(false);
        return byName.Items.FirstOrDefault()?.Id;
    }

    private static NimbusException Locked(TimeSpan wait)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        return new NimbusException(ErrorCodes.Throttled, 429, $"Too many failed sign-ins; try again in {seconds} seconds.")
        {
            Headers = new Dictionary<string, string> { ["Retry-After"] = seconds.ToString(CultureInfo.InvariantCulture) },
        };
    }

    private static string HashOf(string cookie) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(cookie)));
}
