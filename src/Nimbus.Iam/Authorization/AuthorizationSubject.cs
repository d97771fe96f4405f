using Nimbus.Iam.Policies;

namespace Nimbus.Iam.Authorization;

/// <summary>How a caller is granted anything.</summary>
public enum SubjectKind
{
    /// <summary>An unsigned request: only a resource policy naming <c>*</c> can allow it.</summary>
    Anonymous,

    /// <summary>An account's root user: everything in its own account.</summary>
    Root,

    /// <summary>The platform account's root user: everything in every account.</summary>
    PlatformRoot,

    /// <summary>A user or role session: what its compiled policies allow.</summary>
    Policies,
}

/// <summary>The caller as the authorization rules see it.</summary>
/// <param name="Kind">How it is granted anything.</param>
/// <param name="PrincipalNrn">Its NRN; <c>*</c> for anonymous.</param>
/// <param name="Account">Its account; empty for anonymous.</param>
/// <param name="Policies">Its compiled policies when <paramref name="Kind"/> is <see cref="SubjectKind.Policies"/>.</param>
/// <param name="AlsoNamedAs">Other NRNs a resource policy may name it by: a role session is named by its role.</param>
public sealed record AuthorizationSubject(SubjectKind Kind, string PrincipalNrn, string Account, CompiledPolicySet? Policies = null, IReadOnlyList<string>? AlsoNamedAs = null)
{
    public static AuthorizationSubject Anonymous { get; } = new(SubjectKind.Anonymous, "*", "");
}
