using Nimbus.Core.Api;
using Nimbus.Core.Resources;
using Nimbus.Iam.Policies;

namespace Nimbus.Iam.Authorization;

/// <summary>
/// How a subject, its policies, a resource policy and the account owning the resource combine into one
/// decision, as AWS combines them, kept apart from the store so the rules can be tested as tables:
/// <list type="bullet">
/// <item>an explicit Deny anywhere (identity, boundary, session or resource policy) wins;</item>
/// <item>in the owning account an Allow from the identity policies or from a resource-policy statement
/// naming the principal suffices; across accounts both must allow;</item>
/// <item>the owning account's root (and the platform's root, anywhere) is allowed unless the resource
/// policy denies it, and even then may read, replace and delete that policy (it can never lock itself out);
/// another account's root needs the resource policy;</item>
/// <item>an anonymous caller needs a resource-policy statement for <c>"Principal": "*"</c>.</item>
/// </list>
/// </summary>
public static class AuthorizationRules
{
    /// <summary>Actions the owning root may always perform, whatever the resource policy says.</summary>
    public static bool IsLockoutSafe(string action) =>
        action.Equals("s3:GetBucketPolicy", StringComparison.OrdinalIgnoreCase)
        || action.Equals("s3:PutBucketPolicy", StringComparison.OrdinalIgnoreCase)
        || action.Equals("s3:DeleteBucketPolicy", StringComparison.OrdinalIgnoreCase);

    /// <summary>Decides <paramref name="action"/> on every one of <paramref name="resources"/>; the first refusal decides.</summary>
    /// <param name="subject">The caller.</param>
    /// <param name="action"><c>service:Verb</c>.</param>
    /// <param name="resources">Resource NRNs (or <c>*</c>).</param>
    /// <param name="resourceAccount">The owning account of resources whose NRNs carry none (S3); an NRN that names its account keeps it, and without either a resource belongs to the caller's account.</param>
    /// <param name="resourcePolicy">The resource's own policy, if any.</param>
    /// <param name="context">Condition keys of the request.</param>
    public static AuthorizationDecision Decide(AuthorizationSubject subject, string action, IReadOnlyList<string> resources, string? resourceAccount, CompiledPolicy? resourcePolicy, RequestContext context)
    {
        foreach (var resource in resources)
        {
            // An NRN that names its account is authoritative; the resource account stands in only where NRNs carry none (S3).
            var owner = AccountOf(resource) ?? (resourceAccount is { Length: > 0 } ? resourceAccount : subject.Account);
            var request = new AuthorizationRequest
            {
                Action = action,
                Resource = resource,
                PrincipalNrn = subject.PrincipalNrn,
                PrincipalAliases = subject.AlsoNamedAs,
                PrincipalAccount = subject.Account,
                ResourceAccount = owner,
                Context = context,
            };
            var refusal = subject.Kind switch
            {
                SubjectKind.Anonymous => Refusal(CompiledPolicySet.EvaluateAnonymous(request, resourcePolicy)),
                SubjectKind.Root or SubjectKind.PlatformRoot => DecideRoot(subject, request, resourcePolicy),
                _ => Refusal((subject.Policies ?? throw new ArgumentException("a policy subject needs its policies", nameof(subject))).Evaluate(request, resourcePolicy)),
            };
            if (refusal is not null)
            {
                return refusal;
            }
        }

        return subject.Kind switch
        {
            SubjectKind.PlatformRoot => PlatformRootAllowed,
            SubjectKind.Root => RootAllowed,
            SubjectKind.Anonymous => AnonymousAllowed,
            _ => PolicyAllowed,
        };
    }

    /// <summary>The account part of an NRN (<c>nrn:nimbus:&lt;service&gt;:&lt;region&gt;:&lt;account&gt;:...</c>), or null when it has none.</summary>
    public static string? AccountOf(string nrn)
    {
        if (!nrn.StartsWith(Nrn.Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var parts = nrn.Split(':', 6);
        return parts.Length == 6 && parts[4].Length > 0 && parts[4] != "*" ? parts[4] : null;
    }

    private static readonly AuthorizationDecision PlatformRootAllowed = new(true, "platform root user");
    private static readonly AuthorizationDecision RootAllowed = new(true, "root user of the account");
    private static readonly AuthorizationDecision AnonymousAllowed = new(true, "allowed to everyone by the resource policy");
    private static readonly AuthorizationDecision PolicyAllowed = new(true, "allowed by policy");

    private static AuthorizationDecision? DecideRoot(AuthorizationSubject subject, AuthorizationRequest request, CompiledPolicy? resourcePolicy)
    {
        var owner = subject.Kind == SubjectKind.PlatformRoot || request.ResourceAccount == subject.Account;
        if (resourcePolicy?.FindDeny(request) is { } deny && !(owner && IsLockoutSafe(request.Action)))
        {
            return Refusal(deny);
        }

        if (owner)
        {
            return null;
        }

        return resourcePolicy?.FindAllow(request) is not null
            ? null
            : new AuthorizationDecision(false, resourcePolicy is null
                ? $"{request.Resource} is in another account"
                : $"{request.Resource} is in another account and its resource policy does not allow the principal");
    }

    private static AuthorizationDecision? Refusal(PolicyDecision decision) =>
        decision.IsAllowed ? null : new AuthorizationDecision(false, decision.Statement is null ? decision.Reason : $"{decision.Reason} ({decision.Statement})");
}
