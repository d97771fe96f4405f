using System.Collections.Immutable;
using System.Text.Json;
using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Iam;
using Nimbus.Core.Api;
using Nimbus.Core.Errors;
using Nimbus.Core.Quotas;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;
using Nimbus.Iam.AccessKeys;
using Nimbus.Iam.Passwords;

namespace Nimbus.Iam.Principals;

/// <summary>IAM users of an account: names, paths, tags and console passwords (hashed, never returned).</summary>
public sealed class UserService(IResourceStore store, QuotaService quotas, PasswordPolicyService passwordPolicies, Authorization.IamChangeTracker changes, TimeProvider time)
{
    public const int MaxNameLength = 64;
    private const string PasswordNamespace = "iam.password";

    public async Task<Resource> CreateAsync(string account, CreateUserRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        IamValidation.Name(errors, "name", request.Name, MaxNameLength);
        IamValidation.Path(errors, "path", request.Path);
        IamValidation.Tags(errors, request.Tags);
        var passwordPolicy = await passwordPolicies.GetAsync(account, cancellationToken).ConfigureAwait(false);
        if (request.Password is not null)
        {
            foreach (var problem in passwordPolicy.Check(request.Password))
            {
                errors.Add("password", problem);
            }
        }

        errors.ThrowIfAny();
        var hash = request.Password is null ? null : PasswordHasher.Hash(request.Password);
        return await store.WriteAsync((w, ct) => CreateAsync(w, account, request.Name!, request.Path, request.Tags, hash, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates a user inside an open write (also used when an account is created with its root user).</summary>
    public async Task<Resource> CreateAsync(IStoreWriter writer, string account, string name, string? path, IReadOnlyDictionary<string, string>? tags, string? passwordHash, CancellationToken cancellationToken, bool root = false)
    {
        if (await writer.GetByNameAsync(account, IamKinds.User, name, cancellationToken).ConfigureAwait(false) is not null)
        {
            throw NimbusException.AlreadyExists($"User '{name}'");
        }

        await quotas.ConsumeAsync(writer, account, IamQuotas.Users.Code, 1, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var spec = new UserSpec { Path = path ?? "/", ConsoleAccess = passwordHash is not null, Root = root ? true : null };
        var user = await writer.CreateAsync(
            IamResources.New(IamKinds.User, ResourceIds.New(IamKinds.UserIdPrefix), account, name, spec, now, tags?.ToImmutableSortedDictionary(StringComparer.Ordinal)),
            cancellationToken).ConfigureAwait(false);
        if (passwordHash is not null)
        {
            await WritePasswordAsync(writer, user.Id, new PasswordRecord(passwordHash, now, []), cancellationToken).ConfigureAwait(false);
        }

        return user;
    }

    public async Task<Resource> GetAsync(string account, string id, CancellationToken cancellationToken) =>
        Owned(await store.GetAsync(id, cancellationToken).ConfigureAwait(false), account, id);

    public Task<ResourcePage> ListAsync(string account, string? name, IReadOnlyDictionary<string, string> tags, int pageSize, string? token, CancellationToken cancellationToken) =>
        store.ListAsync(new ResourceQuery { Kind = IamKinds.User, Account = account, Name = name, Tags = tags, PageSize = pageSize, PageToken = token }, cancellationToken);

    public Task<Resource> UpdateAsync(string account, string id, UpdateUserRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        if (request.Version < 1)
        {
            errors.Add("version", "is required: send the version you read");
        }

        IamValidation.Path(errors, "path", request.Path);
        IamValidation.Tags(errors, request.Tags);
        errors.ThrowIfAny();
        return store.WriteAsync(
            async (w, ct) =>
            {
                var user = Owned(await w.GetAsync(id, ct).ConfigureAwait(false), account, id);
                if (user.Version != request.Version)
                {
                    throw NimbusException.VersionConflict(id, request.Version, user.Version);
                }

                var spec = SpecOf(user);
                return await w.UpdateAsync(
                    user with
                    {
                        Spec = JsonSerializer.SerializeToElement(spec with { Path = request.Path ?? spec.Path }, NimbusJson.Options),
                        Tags = request.Tags?.ToImmutableSortedDictionary(StringComparer.Ordinal) ?? user.Tags,
                        UpdatedAt = time.GetUtcNow(),
                    },
                    ct).ConfigureAwait(false);
            },
            cancellationToken);
    }

    public async Task<Resource> SetPasswordAsync(string account, string id, string? password, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var passwordPolicy = await passwordPolicies.GetAsync(account, cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrEmpty(password))
        {
            errors.Add("password", "is required");
        }
        else
        {
            foreach (var problem in passwordPolicy.Check(password))
            {
                errors.Add("password", problem);
            }
        }

        errors.ThrowIfAny();
        return await store.WriteAsync(
            async (w, ct) =>
            {
                var user = Owned(await w.GetAsync(id, ct).ConfigureAwait(false), account, id);
                var current = await ReadPasswordAsync(w, id, ct).ConfigureAwait(false);
                var history = current is null ? [] : current.History.Prepend(current.Hash).Take(Math.Max(passwordPolicy.PreventReuse, 1)).ToList();
                if (passwordPolicy.IsReused(password!, history))
                {
                    throw NimbusException.Invalid("password", $"must not be one of the last {passwordPolicy.PreventReuse} passwords");
                }

                var now = time.GetUtcNow();
                await WritePasswordAsync(w, id, new PasswordRecord(PasswordHasher.Hash(password!), now, history), ct).ConfigureAwait(false);
                var spec = SpecOf(user);
                return spec.ConsoleAccess == true
                    ? user
                    : await w.UpdateAsync(user with { Spec = JsonSerializer.SerializeToElement(spec with { ConsoleAccess = true }, NimbusJson.Options), UpdatedAt = now }, ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteAsync(string account, string id, CancellationToken cancellationToken)
    {
        await store.WriteAsync<bool>(
            async (w, ct) =>
            {
                var user = Owned(await w.GetAsync(id, ct).ConfigureAwait(false), account, id);
                if (SpecOf(user).Root == true)
                {
                    throw new NimbusException(ErrorCodes.Conflict, 409, $"'{user.Name}' is the account's root user and cannot be deleted.");
                }

                var keys = await store.ListAsync(
                    new ResourceQuery { Kind = IamKinds.AccessKey, Account = account, Tags = new Dictionary<string, string> { [AccessKeyService.UserTag] = user.Name }, PageSize = 1 },
                    ct).ConfigureAwait(false);
                if (keys.Items.Count > 0)
                {
                    throw new NimbusException(ErrorCodes.Conflict, 409, $"User '{user.Name}' still has access keys; delete them first.");
                }

                var groups = await GroupsOfAsync(account, user.Id, ct).ConfigureAwait(false);
                if (groups.Count > 0)
                {
                    throw new NimbusException(ErrorCodes.Conflict, 409, $"User '{user.Name}' is still a member of {string.Join(", ", groups.Select(g => g.Name))}; remove it first.");
                }

                await quotas.ReleaseAsync(w, account, IamQuotas.Users.Code, 1, ct).ConfigureAwait(false);
                await w.DeleteAsync(id, null, ct).ConfigureAwait(false);
                await w.DeleteValueAsync(PasswordNamespace, id, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
        changes.Bump();
    }

    /// <summary>The groups <paramref name="userId"/> belongs to.</summary>
    public async Task<IReadOnlyList<Resource>> GroupsOfAsync(string account, string userId, CancellationToken cancellationToken)
    {
        var groups = new List<Resource>();
        string? token = null;
        do
        {
            var page = await store.ListAsync(new ResourceQuery { Kind = IamKinds.Group, Account = account, PageSize = 1000, PageToken = token }, cancellationToken).ConfigureAwait(false);
            groups.AddRange(page.Items.Where(g => GroupService.MembersOf(g).Contains(userId)));
            token = page.NextPageToken;
        }
        while (token is not null);
        return groups;
    }

    /// <summary>True when <paramref name="password"/> is the user's console password (constant-time).</summary>
    public async Task<bool> VerifyPasswordAsync(string userId, string password, CancellationToken cancellationToken)
    {
        var stored = await store.GetValueAsync(PasswordNamespace, userId, cancellationToken).ConfigureAwait(false);
        var record = stored is null ? null : JsonSerializer.Deserialize<PasswordRecord>(stored, NimbusJson.Options);
        return record is not null && PasswordHasher.Verify(password, record.Hash);
    }

    /// <summary>True when the user's password is older than the account's policy allows.</summary>
    public async Task<bool> PasswordExpiredAsync(string account, string userId, CancellationToken cancellationToken)
    {
        var stored = await store.GetValueAsync(PasswordNamespace, userId, cancellationToken).ConfigureAwait(false);
        var record = stored is null ? null : JsonSerializer.Deserialize<PasswordRecord>(stored, NimbusJson.Options);
        var policy = await passwordPolicies.GetAsync(account, cancellationToken).ConfigureAwait(false);
        return record is not null && policy.IsExpired(record.ChangedAt, time.GetUtcNow());
    }

    public static UserSpec SpecOf(Resource user) => user.Spec.Deserialize<UserSpec>(NimbusJson.Options) ?? new UserSpec();

    private static Resource Owned(Resource? resource, string account, string id) =>
        resource is null || resource.Kind != IamKinds.User || resource.Account != account ? throw NimbusException.NotFound($"User '{id}'") : resource;

    private static async Task<PasswordRecord?> ReadPasswordAsync(IStoreWriter writer, string userId, CancellationToken cancellationToken)
    {
        var stored = await writer.GetValueAsync(PasswordNamespace, userId, cancellationToken).ConfigureAwait(false);
        return stored is null ? null : JsonSerializer.Deserialize<PasswordRecord>(stored, NimbusJson.Options);
    }

    private static Task WritePasswordAsync(IStoreWriter writer, string userId, PasswordRecord record, CancellationToken cancellationToken) =>
        writer.PutValueAsync(PasswordNamespace, userId, JsonSerializer.SerializeToUtf8Bytes(record, NimbusJson.Options), cancellationToken);
}
