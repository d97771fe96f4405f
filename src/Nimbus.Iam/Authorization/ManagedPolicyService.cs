using System.Collections.Immutable;
using System.Text.Json;
using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Iam;
using Nimbus.Core.Api;
using Nimbus.Core.Errors;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;
using Nimbus.Iam.Policies;
using Nimbus.Iam.Principals;

namespace Nimbus.Iam.Authorization;

/// <summary>
/// Customer-managed policies (<c>iam/policy</c>): documents validated on write with line and
/// column, up to five versions, one in force. Built-in policies are referred to by name.
/// </summary>
public sealed class ManagedPolicyService(IResourceStore store, IActionCatalog catalog, IamChangeTracker changes, TimeProvider time)
{
    public const int MaxVersions = 5;
    public const int MaxNameLength = 128;

    private readonly Lazy<IReadOnlyDictionary<string, AttachedPolicy>> _builtIns = new(() =>
        BuiltInPolicies.All(catalog).ToDictionary(p => p.Name, StringComparer.Ordinal));

    public IReadOnlyDictionary<string, AttachedPolicy> BuiltIns => _builtIns.Value;

    public Task<Resource> CreateAsync(string account, CreatePolicyRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        IamValidation.Name(errors, "name", request.Name, MaxNameLength);
        if (request.Name is not null && BuiltIns.ContainsKey(request.Name))
        {
            errors.Add("name", "is the name of a built-in policy");
        }

        if (request.Description?.Length > 1000)
        {
            errors.Add("description", "must be at most 1000 characters");
        }

        ValidateDocument(errors, request.Document);
        errors.ThrowIfAny();
        return store.WriteAsync(
            async (w, ct) =>
            {
                if (await w.GetByNameAsync(account, IamKinds.Policy, request.Name!, ct).ConfigureAwait(false) is not null)
                {
                    throw NimbusException.AlreadyExists($"Policy '{request.Name}'");
                }

                var now = time.GetUtcNow();
                var spec = new PolicySpec
                {
                    Description = request.Description,
                    DefaultVersion = "v1",
                    Versions = [new PolicyVersionDto { VersionId = "v1", Document = request.Document!, CreatedAt = now }],
                };
                return await w.CreateAsync(IamResources.New(IamKinds.Policy, ResourceIds.New(IamKinds.PolicyIdPrefix), account, request.Name!, spec, now), ct).ConfigureAwait(false);
            },
            cancellationToken);
    }

    public async Task<Resource> GetAsync(string account, string id, CancellationToken cancellationToken) =>
        Owned(await store.GetAsync(id, cancellationToken).ConfigureAwait(false), account, id);

    public Task<ResourcePage> ListAsync(string account, string? name, int pageSize, string? token, CancellationToken cancellationToken) =>
        store.ListAsync(new ResourceQuery { Kind = IamKinds.Policy, Account = account, Name = name, PageSize = pageSize, PageToken = token }, cancellationToken);

    public async Task<Resource> CreateVersionAsync(string account, string id, CreatePolicyVersionRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        ValidateDocument(errors, request.Document);
        errors.ThrowIfAny();
        var updated = await store.WriteAsync(
            async (w, ct) =>
            {
                var policy = Owned(await w.GetAsync(id, ct).ConfigureAwait(false), account, id);
                var spec = SpecOf(policy);
                var versions = (spec.Versions ?? []).ToList();
                var next = versions.Count == 0 ? 1 : versions.Max(v => int.Parse(v.VersionId.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture)) + 1;
                var now = time.GetUtcNow();
                versions.Add(new PolicyVersionDto { VersionId = $"v{next}", Document = request.Document!, CreatedAt = now });
                var defaultVersion = request.SetAsDefault ?? true ? $"v{next}" : spec.DefaultVersion;

                // Like AWS's limit of five, but the oldest version not in force gives way instead of an error.
                while (versions.Count > MaxVersions)
                {
                    versions.Remove(versions.First(v => v.VersionId != defaultVersion));
                }

                return await w.UpdateAsync(
                    policy with { Spec = JsonSerializer.SerializeToElement(spec with { Versions = versions.ToImmutableArray(), DefaultVersion = defaultVersion }, NimbusJson.Options), UpdatedAt = now },
                    ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        changes.Bump();
        return updated;
    }

    public async Task DeleteAsync(string account, string id, CancellationToken cancellationToken)
    {
        var policy = await GetAsync(account, id, cancellationToken).ConfigureAwait(false);
        foreach (var kind in new[] { IamKinds.User, IamKinds.Group, IamKinds.Role })
        {
            string? token = null;
            do
            {
                var page = await store.ListAsync(new ResourceQuery { Kind = kind, Account = account, PageSize = 1000, PageToken = token }, cancellationToken).ConfigureAwait(false);
                var holder = page.Items.FirstOrDefault(r => AttachedOf(r).Contains(policy.Id));
                if (holder is not null)
                {
                    throw new NimbusException(ErrorCodes.Conflict, 409, $"Policy '{policy.Name}' is attached to {holder.Name}; detach it first.");
                }

                token = page.NextPageToken;
            }
            while (token is not null);
        }

        await store.WriteAsync<bool>(
            async (w, ct) =>
            {
                await w.DeleteAsync(policy.Id, null, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
        changes.Bump();
    }

    /// <summary>
    /// The canonical reference of <paramref name="reference"/> (a built-in name, a policy name of the
    /// account, or a policy id): the built-in name or the policy id. Throws NotFound.
    /// </summary>
    public async Task<string> ResolveAsync(string account, string reference, CancellationToken cancellationToken)
    {
        if (BuiltIns.ContainsKey(reference))
        {
            return reference;
        }

        var policy = reference.StartsWith(IamKinds.PolicyIdPrefix + "-", StringComparison.Ordinal)
            ? await store.GetAsync(reference, cancellationToken).ConfigureAwait(false)
            : await store.GetByNameAsync(account, IamKinds.Policy, reference, cancellationToken).ConfigureAwait(false);
        return policy is { Kind: IamKinds.Policy } && policy.Account == account ? policy.Id : throw NimbusException.NotFound($"Policy '{reference}'");
    }

    /// <summary>The document in force of a canonical reference, or null when the policy is gone.</summary>
    public async Task<AttachedPolicy?> LoadAsync(string reference, CancellationToken cancellationToken)
    {
        if (BuiltIns.TryGetValue(reference, out var builtIn))
        {
            return builtIn;
        }

        var policy = await store.GetAsync(reference, cancellationToken).ConfigureAwait(false);
        if (policy is not { Kind: IamKinds.Policy })
        {
            return null;
        }

        var spec = SpecOf(policy);
        var version = spec.Versions?.FirstOrDefault(v => v.VersionId == spec.DefaultVersion);
        var parsed = version is null ? null : PolicyDocument.Parse(version.Document, catalog);
        return parsed is { Succeeded: true } ? new AttachedPolicy(policy.Id, policy.Name, parsed.Document!) : null;
    }

    public static IReadOnlyList<string> AttachedOf(Resource principal) => principal.Kind switch
    {
        IamKinds.User => principal.Spec.Deserialize<UserSpec>(NimbusJson.Options)?.AttachedPolicies ?? [],
        IamKinds.Role => principal.Spec.Deserialize<RoleSpec>(NimbusJson.Options)?.AttachedPolicies ?? [],
        _ => principal.Spec.Deserialize<GroupSpec>(NimbusJson.Options)?.AttachedPolicies ?? [],
    };

    public static PolicySpec SpecOf(Resource policy) => policy.Spec.Deserialize<PolicySpec>(NimbusJson.Options) ?? new PolicySpec();

    private void ValidateDocument(FieldErrors errors, string? document)
    {
        if (string.IsNullOrWhiteSpace(document))
        {
            errors.Add("document", "is required");
            return;
        }

        var parsed = PolicyDocument.Parse(document, catalog);
        foreach (var error in parsed.Errors)
        {
            errors.Add("document", error.ToString());
        }
    }

    private static Resource Owned(Resource? resource, string account, string id) =>
        resource is null || resource.Kind != IamKinds.Policy || resource.Account != account ? throw NimbusException.NotFound($"Policy '{id}'") : resource;
}
