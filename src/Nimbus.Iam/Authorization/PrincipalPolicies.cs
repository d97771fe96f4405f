using System.Collections.Concurrent;
using System.Text.Json;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;
using Nimbus.Iam.Policies;
using Nimbus.Iam.Principals;

namespace Nimbus.Iam.Authorization;

/// <summary>
/// The compiled policy set of each user (its own attachments and its groups'), cached until an
/// IAM change bumps the generation or a minute passes (the bound on other replicas' changes).
/// </summary>
public sealed class PrincipalPolicies(IResourceStore store, ManagedPolicyService policies, IActionCatalog catalog, IamChangeTracker changes, TimeProvider time)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, Entry> _cache = new(StringComparer.Ordinal);

    public async Task<CompiledPolicySet> GetAsync(Resource user, CancellationToken cancellationToken)
    {
        var generation = changes.Generation;
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(user.Id, out var entry) && entry.Generation == generation && entry.Version == user.Version && entry.Expires > now)
        {
            return entry.Set;
        }

        var attached = new List<AttachedPolicy>();
        foreach (var reference in await ReferencesOfAsync(user, cancellationToken).ConfigureAwait(false))
        {
            if (await policies.LoadAsync(reference, cancellationToken).ConfigureAwait(false) is { } policy)
            {
                attached.Add(policy);
            }
        }

        var userSpec = user.Spec.Deserialize<Nimbus.Contracts.Iam.UserSpec>(Nimbus.Core.Api.NimbusJson.Options);
        foreach (var (name, document) in userSpec?.InlinePolicies ?? new Dictionary<string, string>())
        {
            if (PolicyDocument.Parse(document, catalog).Document is { } inline)
            {
                attached.Add(new AttachedPolicy(user.Id + "/" + name, name + " (inline)", inline));
            }
        }

        var boundaryReference = user.Spec.Deserialize<Nimbus.Contracts.Iam.UserSpec>(Nimbus.Core.Api.NimbusJson.Options)?.PermissionsBoundary;
        var boundary = boundaryReference is null ? null : await policies.LoadAsync(boundaryReference, cancellationToken).ConfigureAwait(false);

        // A boundary that no longer loads allows nothing rather than everything.
        var set = boundaryReference is not null && boundary is null
            ? CompiledPolicySet.Compile([])
            : CompiledPolicySet.Compile(attached, boundary);
        if (_cache.Count > 10_000)
        {
            _cache.Clear();
        }

        _cache[user.Id] = new Entry(set, generation, user.Version, now + Lifetime);
        return set;
    }

    /// <summary>The compiled set of a role session: the role's attachments, narrowed by the session policy.</summary>
    public async Task<CompiledPolicySet> GetForRoleAsync(Resource role, string? sessionPolicy, IActionCatalog catalog, CancellationToken cancellationToken)
    {
        var key = role.Id + "|" + (sessionPolicy is null ? "" : Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(sessionPolicy))));
        var generation = changes.Generation;
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(key, out var entry) && entry.Generation == generation && entry.Version == role.Version && entry.Expires > now)
        {
            return entry.Set;
        }

        var attached = new List<AttachedPolicy>();
        foreach (var reference in ManagedPolicyService.AttachedOf(role))
        {
            if (await policies.LoadAsync(reference, cancellationToken).ConfigureAwait(false) is { } policy)
            {
                attached.Add(policy);
            }
        }

        var session = sessionPolicy is null ? null : PolicyDocument.Parse(sessionPolicy, catalog).Document;
        var boundaryReference = role.Spec.Deserialize<Nimbus.Contracts.Iam.RoleSpec>(Nimbus.Core.Api.NimbusJson.Options)?.PermissionsBoundary;
        var boundary = boundaryReference is null ? null : await policies.LoadAsync(boundaryReference, cancellationToken).ConfigureAwait(false);
        var set = boundaryReference is not null && boundary is null
            ? CompiledPolicySet.Compile([])
            : CompiledPolicySet.Compile(attached, boundary, session is null ? null : new AttachedPolicy("session", "session policy", session));
        _cache[key] = new Entry(set, generation, role.Version, now + Lifetime);
        return set;
    }

    private async Task<IReadOnlyList<string>> ReferencesOfAsync(Resource user, CancellationToken cancellationToken)
    {
        var references = new List<string>(ManagedPolicyService.AttachedOf(user));
        string? token = null;
        do
        {
            var page = await store.ListAsync(new ResourceQuery { Kind = IamKinds.Group, Account = user.Account, PageSize = 1000, PageToken = token }, cancellationToken).ConfigureAwait(false);
            foreach (var group in page.Items.Where(g => GroupService.MembersOf(g).Contains(user.Id)))
            {
                references.AddRange(ManagedPolicyService.AttachedOf(group));
            }

            token = page.NextPageToken;
        }
        while (token is not null);
        return references.Distinct(StringComparer.Ordinal).ToList();
    }

    private sealed record Entry(CompiledPolicySet Set, long Generation, long Version, DateTimeOffset Expires);
}
