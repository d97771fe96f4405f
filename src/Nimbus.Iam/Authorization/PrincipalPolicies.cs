using System.Collections.Concurrent;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;
using Nimbus.Iam.Policies;
using Nimbus.Iam.Principals;

namespace Nimbus.Iam.Authorization;

/// <summary>
/// The compiled policy set of each user (its own attachments and its groups'), cached until an
/// IAM change bumps the generation or a minute passes (the bound on other replicas' changes).
/// </summary>
public sealed class PrincipalPolicies(IResourceStore store, ManagedPolicyService policies, IamChangeTracker changes, TimeProvider time)
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

        var set = CompiledPolicySet.Compile(attached);
        if (_cache.Count > 10_000)
        {
            _cache.Clear();
        }

        _cache[user.Id] = new Entry(set, generation, user.Version, now + Lifetime);
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
