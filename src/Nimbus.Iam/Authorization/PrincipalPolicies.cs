using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Nimbus.Contracts.Iam;
using Nimbus.Core.Api;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;
using Nimbus.Iam.Policies;
using Nimbus.Iam.Principals;

namespace Nimbus.Iam.Authorization;

/// <summary>
/// The grant of each user (root, or its own and its groups' policies under its boundary) and of
/// each role session, compiled once and cached until an IAM change bumps the generation, the
/// principal's version moves, or a minute passes (the bound on other replicas' changes). The
/// authorization hot path reads only this cache.
/// </summary>
public sealed class PrincipalPolicies(IResourceStore store, ManagedPolicyService policies, IActionCatalog catalog, IamChangeTracker changes, TimeProvider time)
{
    private const int MaxEntries = 10_000;
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, Entry> _cache = new(StringComparer.Ordinal);

    public Task<PrincipalGrant> GetAsync(Resource user, CancellationToken cancellationToken) =>
        CachedAsync(user.Id, user.Version, () => CompileUserAsync(user, cancellationToken));

    /// <summary>The grant of a role session: the role's attachments under its boundary, narrowed by the session policy.</summary>
    public async Task<CompiledPolicySet> GetForRoleAsync(Resource role, string? sessionPolicy, CancellationToken cancellationToken)
    {
        var key = role.Id + "|" + (sessionPolicy is null ? "" : Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(sessionPolicy))));
        var grant = await CachedAsync(key, role.Version, async () =>
        {
            var spec = role.Spec.Deserialize<RoleSpec>(NimbusJson.Options) ?? new RoleSpec();
            var session = sessionPolicy is null ? null : PolicyDocument.Parse(sessionPolicy, catalog).Document;
            var set = await CompileAsync(spec.AttachedPolicies ?? [], Inline(role, null), spec.PermissionsBoundary, session is null ? null : new AttachedPolicy("session", "session policy", session), cancellationToken).ConfigureAwait(false);
            return new PrincipalGrant(false, set);
        }).ConfigureAwait(false);
        return grant.Policies;
    }

    private async Task<PrincipalGrant> CachedAsync(string key, long version, Func<Task<PrincipalGrant>> compile)
    {
        var generation = changes.Generation;
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(key, out var entry) && entry.Generation == generation && entry.Version == version && entry.Expires > now)
        {
            return entry.Grant;
        }

        var grant = await compile().ConfigureAwait(false);
        if (_cache.Count > MaxEntries)
        {
            _cache.Clear();
        }

        _cache[key] = new Entry(grant, generation, version, now + Lifetime);
        return grant;
    }

    private async Task<PrincipalGrant> CompileUserAsync(Resource user, CancellationToken cancellationToken)
    {
        var spec = UserService.SpecOf(user);
        if (spec.Root == true)
        {
            return new PrincipalGrant(true, CompiledPolicySet.Compile([]));
        }

        var references = new List<string>(spec.AttachedPolicies ?? []);
        var inline = Inline(user, null);
        string? token = null;
        do
        {
            var page = await store.ListAsync(new ResourceQuery { Kind = IamKinds.Group, Account = user.Account, PageSize = 1000, PageToken = token }, cancellationToken).ConfigureAwait(false);
            foreach (var group in page.Items.Where(g => GroupService.MembersOf(g).Contains(user.Id)))
            {
                references.AddRange(ManagedPolicyService.AttachedOf(group));
                inline.AddRange(Inline(group, "group " + group.Name));
            }

            token = page.NextPageToken;
        }
        while (token is not null);

        var set = await CompileAsync(references.Distinct(StringComparer.Ordinal), inline, spec.PermissionsBoundary, null, cancellationToken).ConfigureAwait(false);
        return new PrincipalGrant(false, set);
    }

    /// <summary>The inline policies of a user, group or role; documents that no longer parse (a catalog change) grant nothing.</summary>
    private List<AttachedPolicy> Inline(Resource principal, string? of)
    {
        var inline = new List<AttachedPolicy>();
        foreach (var (name, document) in PolicyAttachmentService.InlineOf(principal))
        {
            if (PolicyDocument.Parse(document, catalog).Document is { } parsed)
            {
                inline.Add(new AttachedPolicy(principal.Id + "/" + name, of is null ? name + " (inline)" : $"{name} (inline, {of})", parsed));
            }
        }

        return inline;
    }

    private async Task<CompiledPolicySet> CompileAsync(IEnumerable<string> references, IEnumerable<AttachedPolicy> inline, string? boundaryReference, AttachedPolicy? session, CancellationToken cancellationToken)
    {
        var attached = new List<AttachedPolicy>(inline);
        foreach (var reference in references)
        {
            if (await policies.LoadAsync(reference, cancellationToken).ConfigureAwait(false) is { } policy)
            {
                attached.Add(policy);
            }
        }

        var boundary = boundaryReference is null ? null : await policies.LoadAsync(boundaryReference, cancellationToken).ConfigureAwait(false);

        // A boundary that no longer loads allows nothing rather than everything.
        return boundaryReference is not null && boundary is null
            ? CompiledPolicySet.Compile([])
            : CompiledPolicySet.Compile(attached, boundary, session);
    }

    private sealed record Entry(PrincipalGrant Grant, long Generation, long Version, DateTimeOffset Expires);
}
