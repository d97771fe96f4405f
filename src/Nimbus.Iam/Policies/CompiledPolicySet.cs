namespace Nimbus.Iam.Policies;

/// <summary>
/// A principal's compiled policies: identity policies (managed and inline), an optional
/// permissions boundary and an optional session policy. Build once per principal (and session),
/// cache it, rebuild when an attached policy changes. <see cref="Evaluate"/> allocates nothing.
/// </summary>
public sealed class CompiledPolicySet
{
    private readonly CompiledPolicy _identity;
    private readonly CompiledPolicy? _boundary;
    private readonly CompiledPolicy? _session;

    private CompiledPolicySet(CompiledPolicy identity, CompiledPolicy? boundary, CompiledPolicy? session)
    {
        _identity = identity;
        _boundary = boundary;
        _session = session;
    }

    /// <summary>Whether an identity, boundary or session statement reads <c>nimbus:ResourceTag/k</c>.</summary>
    public bool TestsResourceTags => _identity.TestsResourceTags || _boundary?.TestsResourceTags == true || _session?.TestsResourceTags == true;

    /// <summary>Whether an identity, boundary or session statement reads <c>nimbus:RequestTag/k</c> or <c>nimbus:TagKeys</c>.</summary>
    public bool TestsRequestTags => _identity.TestsRequestTags || _boundary?.TestsRequestTags == true || _session?.TestsRequestTags == true;

    /// <summary>
    /// Decides an anonymous request (an unsigned one, principal <c>*</c>): it has no identity policies, so only
    /// the resource policy can allow it, through a statement whose <c>Principal</c> is <c>*</c>; a Deny there wins.
    /// </summary>
    public static PolicyDecision EvaluateAnonymous(AuthorizationRequest request, CompiledPolicy? resourcePolicy) =>
        resourcePolicy?.FindDeny(request) ?? resourcePolicy?.FindAllow(request) ?? PolicyDecision.NoAnonymousAllow;

    public static CompiledPolicySet Compile(IEnumerable<AttachedPolicy> identityPolicies, AttachedPolicy? permissionsBoundary = null, AttachedPolicy? sessionPolicy = null) =>
        new(
            CompiledPolicy.Compile(PolicySource.Identity, identityPolicies),
            permissionsBoundary is null ? null : CompiledPolicy.Compile(PolicySource.PermissionsBoundary, [permissionsBoundary]),
            sessionPolicy is null ? null : CompiledPolicy.Compile(PolicySource.SessionPolicy, [sessionPolicy]));

    /// <summary>
    /// Decides a request: an explicit Deny anywhere wins; otherwise, in one account, an identity
    /// Allow or a resource-policy Allow naming the principal, and the boundary and session policy
    /// (when present) must each allow too. Across accounts both the identity policies and the
    /// resource policy must allow.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="resourcePolicy">Optional: the resource's own policy (buckets).</param>
    public PolicyDecision Evaluate(AuthorizationRequest request, CompiledPolicy? resourcePolicy = null)
    {
        var deny = _identity.FindMatch(PolicyEffect.Deny, request)
            ?? _boundary?.FindMatch(PolicyEffect.Deny, request)
            ?? _session?.FindMatch(PolicyEffect.Deny, request)
            ?? resourcePolicy?.FindMatch(PolicyEffect.Deny, request);
        if (deny is not null)
        {
            return deny.Decision;
        }

        var identityAllow = _identity.FindMatch(PolicyEffect.Allow, request);
        CompiledStatement? allow;
        if (request.IsCrossAccount)
        {
            if (identityAllow is null)
            {
                return PolicyDecision.NoCrossAccountIdentityAllow;
            }

            if (resourcePolicy?.FindMatch(PolicyEffect.Allow, request) is null)
            {
                return PolicyDecision.NoCrossAccountResourceAllow;
            }

            allow = identityAllow;
        }
        else
        {
            allow = identityAllow ?? resourcePolicy?.FindMatch(PolicyEffect.Allow, request);
            if (allow is null)
            {
                return PolicyDecision.NoIdentityAllow;
            }
        }

        if (_boundary is not null && _boundary.FindMatch(PolicyEffect.Allow, request) is null)
        {
            return PolicyDecision.NoBoundaryAllow;
        }

        if (_session is not null && _session.FindMatch(PolicyEffect.Allow, request) is null)
        {
            return PolicyDecision.NoSessionAllow;
        }

        return allow.Decision;
    }
}
