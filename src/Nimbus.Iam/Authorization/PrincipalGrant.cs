using Nimbus.Iam.Policies;

namespace Nimbus.Iam.Authorization;

/// <summary>What a principal may do: everything in its account (a root user), or what its compiled policies allow.</summary>
public sealed record PrincipalGrant(bool IsRoot, CompiledPolicySet Policies);
