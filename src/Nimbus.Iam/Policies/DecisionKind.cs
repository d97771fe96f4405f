namespace Nimbus.Iam.Policies;

public enum DecisionKind
{
    Allowed,

    /// <summary>A Deny statement matched; nothing can override it.</summary>
    ExplicitDeny,

    /// <summary>No statement allowed the request (or a boundary, session policy or the other account did not).</summary>
    ImplicitDeny,
}
