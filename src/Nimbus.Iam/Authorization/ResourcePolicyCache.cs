using System.Collections.Concurrent;
using Nimbus.Iam.Policies;

namespace Nimbus.Iam.Authorization;

/// <summary>
/// Resource policies (bucket policies) compiled once per distinct text: a service hands the authorizer the
/// policy JSON on every request, and parsing it each time would cost more than the decision (~40 µs
/// against ~2 µs). Bounded: past <see cref="MaxEntries"/> texts the cache starts over.
/// </summary>
public sealed class ResourcePolicyCache(IActionCatalog catalog)
{
    public const int MaxEntries = 1000;

    private readonly ConcurrentDictionary<string, CompiledPolicy> _cache = new(StringComparer.Ordinal);

    /// <summary>
    /// Stands in for a policy that does not parse (stored before a catalog change, or written around the API):
    /// it denies everyone everything, failing closed; the owning root can still read, replace or delete it.
    /// </summary>
    public static CompiledPolicy Unreadable { get; } = CompiledPolicy.ForResource(new AttachedPolicy(
        "resource-policy",
        "resource policy (unreadable, so it denies everything)",
        new PolicyDocument
        {
            Statements = [new PolicyStatement { Sid = "Unreadable", Effect = PolicyEffect.Deny, Actions = ["*"], Resources = ["*"], Principals = ["*"] }],
        }));

    public int Count => _cache.Count;

    /// <summary>The compiled form of <paramref name="json"/>, or <see cref="Unreadable"/> when it is not a valid resource policy.</summary>
    public CompiledPolicy Get(string json)
    {
        if (_cache.TryGetValue(json, out var compiled))
        {
            return compiled;
        }

        var parsed = PolicyDocument.Parse(json, catalog, PolicyKind.Resource);
        compiled = parsed.Document is { } document
            ? CompiledPolicy.ForResource(new AttachedPolicy("resource-policy", "resource policy", document))
            : Unreadable;
        if (_cache.Count >= MaxEntries)
        {
            _cache.Clear();
        }

        _cache[json] = compiled;
        return compiled;
    }
}
