namespace Nimbus.Iam.Policies;

/// <summary>Where a policy document is used; decides whether <c>Principal</c> is required or refused.</summary>
public enum PolicyKind
{
    /// <summary>Attached to a user, group or role (also boundaries and session policies): no <c>Principal</c>.</summary>
    Identity,

    /// <summary>Attached to a resource (buckets later): <c>Principal</c> or <c>NotPrincipal</c> required.</summary>
    Resource,

    /// <summary>
    /// A role's trust policy: a resource policy whose resource is the role itself, so
    /// <c>Resource</c> may be left out (AWS trust policies have none); it then means the role.
    /// </summary>
    Trust,
}
