using Nimbus.Core.Api;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;
using Nimbus.Iam.Accounts;
using Nimbus.Iam.Policies;
using Nimbus.Iam.Principals;

namespace Nimbus.Iam.Authorization;

/// <summary>
/// The authorization step: deny unless a policy allows. An account's root user may do anything
/// in its own account (the platform's root anywhere); every other user needs an attached policy
/// (directly or through a group) that allows the action on every resource, and no explicit deny.
/// <c>sts:GetCallerIdentity</c> is always allowed, as in AWS.
/// </summary>
public sealed class PolicyAuthorizer(IResourceStore store, PrincipalPolicies principalPolicies, PlatformAccount platform, TimeProvider time) : IAuthorizer
{
    /// <summary>Interim: tags, resource policies and service keys are not evaluated yet (issue 3 follow-up), so only the plain form is allowed.</summary>
    public ValueTask<AuthorizationDecision> AuthorizeAsync(CallerContext caller, AuthorizationTarget target, CancellationToken cancellationToken) =>
        target.ResourceTags is null && target.RequestTags is null && target.ResourcePolicy is null && target.ConditionKeys is null && target.ResourceAccount is null
            ? AuthorizeAsync(caller, target.Action, target.Resources, cancellationToken)
            : throw new NotSupportedException("tag, resource-policy and service condition keys are not evaluated yet");

    public async ValueTask<AuthorizationDecision> AuthorizeAsync(CallerContext caller, string action, IReadOnlyList<string> resources, CancellationToken cancellationToken)
    {
        if (action == "sts:GetCallerIdentity")
        {
            return new AuthorizationDecision(true, "always allowed");
        }

        if (caller.RoleId is not null)
        {
            return await AuthorizeRoleSessionAsync(caller, action, resources, cancellationToken).ConfigureAwait(false);
        }

        var user = await FindUserAsync(caller.Principal, cancellationToken).ConfigureAwait(false);
        if (user is null)
        {
            return new AuthorizationDecision(false, "the principal no longer exists");
        }

        var grant = await principalPolicies.GetAsync(user, cancellationToken).ConfigureAwait(false);
        if (grant.IsRoot)
        {
            if (platform.IsPlatform(user.Account))
            {
                return new AuthorizationDecision(true, "platform root user");
            }

            foreach (var resource in resources)
            {
                var account = AccountOf(resource);
                if (account is not null && account != user.Account)
                {
                    return new AuthorizationDecision(false, $"{resource} is in another account");
                }
            }

            return new AuthorizationDecision(true, "root user of the account");
        }

        return Decide(grant.Policies, caller, action, resources, ContextFor(caller, user));
    }

    private async Task<AuthorizationDecision> AuthorizeRoleSessionAsync(CallerContext caller, string action, IReadOnlyList<string> resources, CancellationToken cancellationToken)
    {
        var role = await store.GetAsync(caller.RoleId!, cancellationToken).ConfigureAwait(false);
        if (role is not { Kind: IamKinds.Role } || role.Account != caller.Account)
        {
            return new AuthorizationDecision(false, "the assumed role no longer exists");
        }

        var set = await principalPolicies.GetForRoleAsync(role, caller.SessionPolicy, cancellationToken).ConfigureAwait(false);
        var context = new RequestContext()
            .SetCurrentTime(time.GetUtcNow())
            .SetSecureTransport(caller.SecureTransport)
            .SetMultiFactorAuthPresent(false)
            .SetPrincipal(caller.Principal, caller.Account)
            .SetPrincipalTags(role.Tags);
        if (caller.SourceIp is { } ip)
        {
            context.SetSourceIp(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip);
        }

        return Decide(set, caller, action, resources, context);
    }

    private static AuthorizationDecision Decide(CompiledPolicySet set, CallerContext caller, string action, IReadOnlyList<string> resources, RequestContext context)
    {
        foreach (var resource in resources)
        {
            var decision = set.Evaluate(new AuthorizationRequest
            {
                Action = action,
                Resource = resource,
                PrincipalNrn = caller.Principal,
                PrincipalAccount = caller.Account,
                ResourceAccount = AccountOf(resource) ?? caller.Account,
                Context = context,
            });
            if (!decision.IsAllowed)
            {
                var by = decision.Statement is null ? "" : $" ({decision.Statement})";
                return new AuthorizationDecision(false, decision.Reason + by);
            }
        }

        return new AuthorizationDecision(true, "allowed by policy");
    }

    /// <summary>The request context of condition keys for a caller.</summary>
    public RequestContext ContextFor(CallerContext caller, Resource user)
    {
        var context = new RequestContext()
            .SetCurrentTime(time.GetUtcNow())
            .SetSecureTransport(caller.SecureTransport)
            .SetMultiFactorAuthPresent(caller.MfaPresent)
            .SetPrincipal(caller.Principal, caller.Account, user.Name, user.Id)
            .SetPrincipalTags(user.Tags);
        if (caller.SourceIp is { } ip)
        {
            context.SetSourceIp(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip);
        }

        return context;
    }

    public async Task<Resource?> FindUserAsync(string principalNrn, CancellationToken cancellationToken)
    {
        var slash = principalNrn.LastIndexOf('/');
        if (slash < 0)
        {
            return null;
        }

        var user = await store.GetAsync(principalNrn[(slash + 1)..], cancellationToken).ConfigureAwait(false);
        return user is { Kind: IamKinds.User } && user.Nrn == principalNrn ? user : null;
    }

    private static string? AccountOf(string nrn)
    {
        if (!nrn.StartsWith(Nrn.Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var parts = nrn.Split(':', 6);
        return parts.Length == 6 && parts[4].Length > 0 && parts[4] != "*" ? parts[4] : null;
    }
}
