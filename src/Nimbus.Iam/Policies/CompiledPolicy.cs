namespace Nimbus.Iam.Policies;

/// <summary>
/// The statements of one or more policies of one <see cref="PolicySource"/>, compiled and indexed
/// by the service of their actions so that a decision only visits statements that could match.
/// Immutable and thread-safe; build once, cache, rebuild when the policies change.
/// </summary>
public sealed class CompiledPolicy
{
    private static readonly CompiledStatement[] None = [];
    private readonly Dictionary<string, Buckets>.AlternateLookup<ReadOnlySpan<char>> _byService;
    private readonly Buckets _anyService;

    private CompiledPolicy(PolicySource source, IReadOnlyList<AttachedPolicy> policies)
    {
        Source = source;
        Policies = policies;
        var statements = new List<CompiledStatement>();
        foreach (var policy in policies)
        {
            foreach (var statement in policy.Document.Statements)
            {
                statements.Add(new CompiledStatement(source, policy, statement, statements.Count));
            }
        }

        StatementCount = statements.Count;
        TestsResourceTags = statements.Any(s => s.TestsResourceTags);
        TestsRequestTags = statements.Any(s => s.TestsRequestTags);
        _anyService = new Buckets(statements.Where(s => s.Services is null));
        var byService = new Dictionary<string, Buckets>(StringComparer.OrdinalIgnoreCase);
        foreach (var service in statements.Where(s => s.Services is not null).SelectMany(s => s.Services!).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            byService[service] = new Buckets(statements.Where(s => s.Services is null || s.Services.Contains(service, StringComparer.OrdinalIgnoreCase)));
        }

        _byService = byService.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public PolicySource Source { get; }

    public IReadOnlyList<AttachedPolicy> Policies { get; }

    public int StatementCount { get; }

    /// <summary>Whether some statement reads <c>nimbus:ResourceTag/k</c>: callers fetch a resource's tags only then.</summary>
    public bool TestsResourceTags { get; }

    /// <summary>Whether some statement reads <c>nimbus:RequestTag/k</c> or <c>nimbus:TagKeys</c>.</summary>
    public bool TestsRequestTags { get; }

    public static CompiledPolicy Compile(PolicySource source, IEnumerable<AttachedPolicy> policies) => new(source, policies.ToArray());

    /// <summary>A resource policy; its statements also have to name the principal.</summary>
    public static CompiledPolicy ForResource(AttachedPolicy policy) => new(PolicySource.ResourcePolicy, [policy]);

    /// <summary>The decision of the first Deny statement matching the request (and, in a resource policy, naming its principal), or null.</summary>
    public PolicyDecision? FindDeny(AuthorizationRequest request) => FindMatch(PolicyEffect.Deny, request)?.Decision;

    /// <summary>The decision of the first Allow statement matching the request (and, in a resource policy, naming its principal), or null.</summary>
    public PolicyDecision? FindAllow(AuthorizationRequest request) => FindMatch(PolicyEffect.Allow, request)?.Decision;

    /// <summary>The first statement of <paramref name="effect"/> matching the request, or null.</summary>
    internal CompiledStatement? FindMatch(PolicyEffect effect, AuthorizationRequest request)
    {
        var action = request.Action.AsSpan();
        var colon = action.IndexOf(':');
        var buckets = colon > 0 && _byService.TryGetValue(action[..colon], out var found) ? found : _anyService;
        var candidates = effect == PolicyEffect.Deny ? buckets.Deny : buckets.Allow;
        var checkPrincipal = Source == PolicySource.ResourcePolicy;
        foreach (var statement in candidates)
        {
            if (statement.Matches(request) && (!checkPrincipal || statement.MatchesPrincipal(request)))
            {
                return statement;
            }
        }

        return null;
    }

    private sealed class Buckets
    {
        public Buckets(IEnumerable<CompiledStatement> statements)
        {
            var ordered = statements.OrderBy(s => s.Order).ToArray();
            Deny = ordered.Where(s => s.Effect == PolicyEffect.Deny).ToArray();
            Allow = ordered.Where(s => s.Effect == PolicyEffect.Allow).ToArray();
            if (Deny.Length == 0)
            {
                Deny = None;
            }
        }

        public CompiledStatement[] Deny { get; }

        public CompiledStatement[] Allow { get; }
    }
}
