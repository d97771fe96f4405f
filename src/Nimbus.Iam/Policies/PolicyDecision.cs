namespace Nimbus.Iam.Policies;

/// <summary>
/// The answer for one request. <see cref="Statement"/> is the matching Deny for an explicit deny,
/// the granting Allow when allowed, and null for an implicit deny (<see cref="Reason"/> says which
/// part of the policy set did not allow). Decisions are shared, immutable instances.
/// </summary>
public sealed record PolicyDecision(DecisionKind Kind, DecidingStatement? Statement, string Reason)
{
    public static readonly PolicyDecision NoIdentityAllow = new(DecisionKind.ImplicitDeny, null, "no identity or resource policy allows the action");

    public static readonly PolicyDecision NoCrossAccountIdentityAllow =
        new(DecisionKind.ImplicitDeny, null, "cross-account request: no identity policy of the principal allows the action");

    public static readonly PolicyDecision NoCrossAccountResourceAllow =
        new(DecisionKind.ImplicitDeny, null, "cross-account request: the resource policy does not allow the principal");

    public static readonly PolicyDecision NoAnonymousAllow =
        new(DecisionKind.ImplicitDeny, null, "anonymous request: no resource policy allows it to everyone (\"Principal\": \"*\")");

    public static readonly PolicyDecision NoBoundaryAllow = new(DecisionKind.ImplicitDeny, null, "the permissions boundary does not allow the action");

    public static readonly PolicyDecision NoSessionAllow = new(DecisionKind.ImplicitDeny, null, "the session policy does not allow the action");

    public bool IsAllowed => Kind == DecisionKind.Allowed;
}
