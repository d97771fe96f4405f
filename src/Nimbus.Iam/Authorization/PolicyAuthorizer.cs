using Nimbus.Core.Api;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;
using Nimbus.Iam.Accounts;
using Nimbus.Iam.Policies;

namespace Nimbus.Iam.Authorization;

/// <summary>
/// The authorization step: deny unless a policy allows. Finds who the caller is (anonymous, a root user,
/// a user or a role session with its cached compiled policies), builds the request context (the caller's
/// keys, the resource's and the request's tags, service keys) and applies <see cref="AuthorizationRules"/>.
/// <c>sts:GetCallerIdentity</c> is always allowed to a signed caller, as in AWS.
/// </summary>
public sealed class PolicyAuthorizer(IResourceStore store, PrincipalPolicies principalPolicies, ResourcePolicyCache resourcePolicies, PlatformAccount platform, TimeProvider time) : IAuthorizer
{
    private static readonly AuthorizationDecision AlwaysAllowed = new(true, "always allowed");
    private static readonly AuthorizationDecision UserGone = new(false, "the principal no longer exists");
    private static readonly AuthorizationDecision RoleGone = new(false, "the assumed role no longer exists");

    public ValueTask<AuthorizationDecision> AuthorizeAsync(CallerContext caller, string action, IReadOnlyList<string> resources, CancellationToken cancellationToken) =>
        AuthorizeAsync(caller, action, resources, null, cancellationToken);

    public ValueTask<AuthorizationDecision> AuthorizeAsync(CallerContext caller, AuthorizationTarget target, CancellationToken cancellationToken) =>
        AuthorizeAsync(caller, target.Action, target.Resources, target, cancellationToken);

    /// <summary>The request context of condition keys for a user (also used by simulation).</summary>
    public RequestContext ContextFor(CallerContext caller, Resource user, RequestContext? into = null) =>
        Common(into ?? new RequestContext(), caller, caller.MfaPresent)
            .SetPrincipal(caller.Principal, caller.Account, user.Name, user.Id)
            .SetPrincipalTags(user.Tags);

    /// <summary>The request context of condition keys for a role session.</summary>
    public RequestContext ContextForRole(CallerContext caller, Resource role, RequestContext? into = null) =>
        Common(into ?? new RequestContext(), caller, mfa: false)
            .SetPrincipal(caller.Principal, caller.Account)
            .SetPrincipalTags(role.Tags);

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

    private async ValueTask<AuthorizationDecision> AuthorizeAsync(CallerContext caller, string action, IReadOnlyList<string> resources, AuthorizationTarget? target, CancellationToken cancellationToken)
    {
        if (caller.IsAnonymous)
        {
            return await AuthorizeAnonymousAsync(caller, action, resources, target, cancellationToken).ConfigureAwait(false);
        }

        if (action == "sts:GetCallerIdentity")
        {
            return AlwaysAllowed;
        }

        var resourcePolicy = target?.ResourcePolicy is { } json ? resourcePolicies.Get(json) : null;
        AuthorizationSubject subject;
        RequestContext context;
        if (caller.RoleId is not null)
        {
            var role = await store.GetAsync(caller.RoleId, cancellationToken).ConfigureAwait(false);
            if (role is not { Kind: IamKinds.Role } || role.Account != caller.Account)
            {
                return RoleGone;
            }

            var set = await principalPolicies.GetForRoleAsync(role, caller.SessionPolicy, cancellationToken).ConfigureAwait(false);
            subject = new AuthorizationSubject(SubjectKind.Policies, caller.Principal, caller.Account, set, [role.Nrn, $"nrn:nimbus:iam::{role.Account}:role/{role.Name}"]);
            context = ContextForRole(caller, role, await TargetKeysAsync(target, set, resourcePolicy, cancellationToken).ConfigureAwait(false));
        }
        else
        {
            var user = await FindUserAsync(caller.Principal, cancellationToken).ConfigureAwait(false);
            if (user is null)
            {
                return UserGone;
            }

            var grant = await principalPolicies.GetAsync(user, cancellationToken).ConfigureAwait(false);
            if (grant.IsRoot)
            {
                subject = new AuthorizationSubject(platform.IsPlatform(user.Account) ? SubjectKind.PlatformRoot : SubjectKind.Root, caller.Principal, caller.Account);

                // Root users evaluate no identity policy: the context matters only to a resource policy.
                context = resourcePolicy is null
                    ? RequestContext.Empty
                    : ContextFor(caller, user, await TargetKeysAsync(target, null, resourcePolicy, cancellationToken).ConfigureAwait(false));
            }
            else
            {
                subject = new AuthorizationSubject(SubjectKind.Policies, caller.Principal, caller.Account, grant.Policies);
                context = ContextFor(caller, user, await TargetKeysAsync(target, grant.Policies, resourcePolicy, cancellationToken).ConfigureAwait(false));
            }
        }

        return AuthorizationRules.Decide(subject, action, resources, target?.ResourceAccount, resourcePolicy, context);
    }

    private async ValueTask<AuthorizationDecision> AuthorizeAnonymousAsync(CallerContext caller, string action, IReadOnlyList<string> resources, AuthorizationTarget? target, CancellationToken cancellationToken)
    {
        var resourcePolicy = target?.ResourcePolicy is { } json ? resourcePolicies.Get(json) : null;
        // No principal keys and no MultiFactorAuthPresent: an unsigned request has neither, as in AWS.
        var context = Common(await TargetKeysAsync(target, null, resourcePolicy, cancellationToken).ConfigureAwait(false), caller, mfa: null);
        return AuthorizationRules.Decide(AuthorizationSubject.Anonymous, action, resources, target?.ResourceAccount, resourcePolicy, context);
    }

    /// <summary>
    /// A fresh context holding what the target adds: service keys first, so that the keys the authorizer sets
    /// afterwards (source address, principal, tags) cannot be replaced by a service; tags are read only when a
    /// policy tests them.
    /// </summary>
    private static async ValueTask<RequestContext> TargetKeysAsync(AuthorizationTarget? target, CompiledPolicySet? set, CompiledPolicy? resourcePolicy, CancellationToken cancellationToken)
    {
        var context = new RequestContext();
        if (target is null)
        {
            return context;
        }

        if (target.ConditionKeys is { } keys)
        {
            foreach (var (key, values) in keys)
            {
                context.Set(key, [.. values]);
            }
        }

        if (set?.TestsResourceTags == true || resourcePolicy?.TestsResourceTags == true)
        {
            var tags = target.ResourceTags ?? (target.LoadResourceTags is { } load ? await load(cancellationToken).ConfigureAwait(false) : null);
            if (tags is not null)
            {
                context.SetResourceTags(tags);
            }
        }

        if (set?.TestsRequestTags == true || resourcePolicy?.TestsRequestTags == true)
        {
            var tags = target.RequestTags ?? (target.LoadRequestTags is { } load ? await load(cancellationToken).ConfigureAwait(false) : null);
            if (tags is not null)
            {
                context.SetRequestTags(tags);
            }
        }

        return context;
    }

    private RequestContext Common(RequestContext context, CallerContext caller, bool? mfa)
    {
        context.SetCurrentTime(time.GetUtcNow()).SetSecureTransport(caller.SecureTransport);
        if (mfa is { } present)
        {
            context.SetMultiFactorAuthPresent(present);
        }

        if (caller.SourceIp is { } ip)
        {
            context.SetSourceIp(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip);
        }

        return context;
    }
}
