namespace Nimbus.Iam.Policies;

/// <summary>A statement with its wildcards and conditions pre-built, and its decision pre-allocated.</summary>
internal sealed class CompiledStatement
{
    private static readonly string ResourceTagKeyPrefix = ConditionKeys.Normalize(ConditionKeys.ResourceTagPrefix);
    private static readonly string RequestTagKeyPrefix = ConditionKeys.Normalize(ConditionKeys.RequestTagPrefix);
    private static readonly string TagKeysKey = ConditionKeys.Normalize(ConditionKeys.TagKeys);
    private readonly WildcardPattern[] _actions;
    private readonly bool _notAction;
    private readonly WildcardPattern[] _resources;
    private readonly string[] _resourceTemplates;
    private readonly bool _notResource;
    private readonly bool _anyResource;
    private readonly string[]? _principals;
    private readonly bool _notPrincipal;
    private readonly CompiledCondition[] _conditions;

    public CompiledStatement(PolicySource source, AttachedPolicy policy, PolicyStatement statement, int order)
    {
        Order = order;
        Effect = statement.Effect;
        _notAction = statement.NotActions is not null;
        _actions = (statement.Actions ?? statement.NotActions ?? []).Select(a => WildcardPattern.Create(a, ignoreCase: true)).ToArray();
        _notResource = statement.NotResources is not null;
        var resources = (statement.Resources ?? statement.NotResources ?? ["*"]).Select(AwsSynonyms.Normalize).ToArray();
        _resources = resources.Where(r => !PolicyVariables.HasVariables(r)).Select(r => WildcardPattern.Create(r, ignoreCase: false)).ToArray();
        _resourceTemplates = resources.Where(PolicyVariables.HasVariables).ToArray();
        _anyResource = !_notResource && _resources.Any(r => r.MatchesEverything);
        _notPrincipal = statement.NotPrincipals is not null;
        _principals = (statement.Principals ?? statement.NotPrincipals)?.Select(AwsSynonyms.Normalize).ToArray();
        _conditions = statement.Conditions.Select(c => new CompiledCondition(c)).ToArray();
        TestsResourceTags = _conditions.Any(c => c.Key.StartsWith(ResourceTagKeyPrefix, StringComparison.Ordinal))
            || _resourceTemplates.Any(t => t.Contains("ResourceTag/", StringComparison.OrdinalIgnoreCase));
        TestsRequestTags = _conditions.Any(c => c.Key.StartsWith(RequestTagKeyPrefix, StringComparison.Ordinal) || c.Key == TagKeysKey)
            || _resourceTemplates.Any(t => t.Contains("RequestTag/", StringComparison.OrdinalIgnoreCase));
        Services = _notAction || _actions.Any(a => !a.Pattern.Contains(':'))
            ? null
            : _actions.Select(a => a.Pattern[..a.Pattern.IndexOf(':')]).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        var deciding = new DecidingStatement(source, policy.Id, policy.Name, statement.Sid, statement.Index, statement.Effect);
        Decision = statement.Effect == PolicyEffect.Deny
            ? new PolicyDecision(DecisionKind.ExplicitDeny, deciding, $"explicitly denied by {deciding}")
            : new PolicyDecision(DecisionKind.Allowed, deciding, $"allowed by {deciding}");
    }

    public PolicyEffect Effect { get; }

    /// <summary>Position within its group (policy order, then statement order): the first match decides.</summary>
    public int Order { get; }

    /// <summary>The services whose actions this statement can match; null when it can match any (<c>*</c>, NotAction).</summary>
    public string[]? Services { get; }

    public PolicyDecision Decision { get; }

    /// <summary>Whether a condition (or a policy variable) reads <c>nimbus:ResourceTag/k</c>: only then must a caller fetch the resource's tags.</summary>
    public bool TestsResourceTags { get; }

    /// <summary>Whether a condition reads <c>nimbus:RequestTag/k</c> or <c>nimbus:TagKeys</c>.</summary>
    public bool TestsRequestTags { get; }

    public bool Matches(AuthorizationRequest request) =>
        MatchesAction(request.Action) && MatchesResource(request.Resource, request.Context) && ConditionsHold(request.Context);

    public bool MatchesPrincipal(AuthorizationRequest request)
    {
        if (_principals is null)
        {
            return true;
        }

        var named = false;
        foreach (var principal in _principals)
        {
            if (principal == "*" || principal == request.PrincipalAccount || principal == request.PrincipalNrn || IsAccountRoot(principal, request.PrincipalAccount)
                || (request.PrincipalAliases is { } aliases && aliases.Contains(principal)))
            {
                named = true;
                break;
            }
        }

        return named != _notPrincipal;
    }

    // nrn:nimbus:iam::<account>:root names the whole account, as arn:aws:iam::<account>:root does.
    private static bool IsAccountRoot(string principal, string account) =>
        account.Length > 0
        && principal.Length == "nrn:nimbus:iam::".Length + account.Length + ":root".Length
        && principal.StartsWith("nrn:nimbus:iam::", StringComparison.Ordinal)
        && principal.AsSpan("nrn:nimbus:iam::".Length, account.Length).SequenceEqual(account)
        && principal.EndsWith(":root", StringComparison.Ordinal);

    private bool MatchesAction(string action)
    {
        foreach (var pattern in _actions)
        {
            if (pattern.IsMatch(action))
            {
                return !_notAction;
            }
        }

        return _notAction;
    }

    private bool MatchesResource(string resource, RequestContext context)
    {
        if (_anyResource)
        {
            return true;
        }

        foreach (var pattern in _resources)
        {
            if (pattern.IsMatch(resource))
            {
                return !_notResource;
            }
        }

        // Templates are rare; substituting allocates, so only statements that use variables pay.
        foreach (var template in _resourceTemplates)
        {
            var substituted = PolicyVariables.Substitute(template, context);
            if (substituted is not null && WildcardPattern.Create(substituted, ignoreCase: false).IsMatch(resource))
            {
                return !_notResource;
            }
        }

        return _notResource;
    }

    private bool ConditionsHold(RequestContext context)
    {
        foreach (var condition in _conditions)
        {
            if (!condition.IsSatisfied(context))
            {
                return false;
            }
        }

        return true;
    }
}
