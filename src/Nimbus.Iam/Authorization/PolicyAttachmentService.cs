using System.Collections.Immutable;
using System.Text.Json;
using Nimbus.Contracts.Iam;
using Nimbus.Core.Api;
using Nimbus.Core.Errors;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;

namespace Nimbus.Iam.Authorization;

/// <summary>Attaches managed policies to users and groups (at most 10 each, as AWS).</summary>
public sealed class PolicyAttachmentService(IResourceStore store, ManagedPolicyService policies, Policies.IActionCatalog catalog, IamChangeTracker changes, TimeProvider time)
{
    public const int MaxAttached = 10;

    /// <summary>Puts (or, with a null document, deletes) an inline policy of a user, group or role.</summary>
    public async Task<Resource> PutInlineAsync(string account, string kind, string principalId, string name, string? document, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        Principals.IamValidation.Name(errors, "name", name, 128);
        if (document is not null)
        {
            foreach (var error in Policies.PolicyDocument.Parse(document, catalog).Errors)
            {
                errors.Add("document", error.ToString());
            }
        }

        errors.ThrowIfAny();
        var updated = await store.WriteAsync(
            async (w, ct) =>
            {
                var principal = Owned(await w.GetAsync(principalId, ct).ConfigureAwait(false), account, kind, principalId);
                var inline = new Dictionary<string, string>(InlineOf(principal), StringComparer.Ordinal);
                if (document is null)
                {
                    if (!inline.Remove(name))
                    {
                        throw NimbusException.NotFound($"Inline policy '{name}' of {Noun(kind).ToLowerInvariant()} '{principal.Name}'");
                    }
                }
                else
                {
                    inline[name] = document;
                    if (inline.Count > MaxAttached)
                    {
                        throw new NimbusException(Contracts.Errors.ErrorCodes.QuotaExceeded, 409, $"At most {MaxAttached} inline policies per {Noun(kind).ToLowerInvariant()}.");
                    }
                }

                var sorted = inline.ToImmutableSortedDictionary(StringComparer.Ordinal);
                var spec = kind switch
                {
                    IamKinds.User => JsonSerializer.SerializeToElement((principal.Spec.Deserialize<UserSpec>(NimbusJson.Options) ?? new UserSpec()) with { InlinePolicies = sorted }, NimbusJson.Options),
                    IamKinds.Role => JsonSerializer.SerializeToElement((principal.Spec.Deserialize<RoleSpec>(NimbusJson.Options) ?? new RoleSpec()) with { InlinePolicies = sorted }, NimbusJson.Options),
                    _ => JsonSerializer.SerializeToElement((principal.Spec.Deserialize<GroupSpec>(NimbusJson.Options) ?? new GroupSpec()) with { InlinePolicies = sorted }, NimbusJson.Options),
                };
                return await w.UpdateAsync(principal with { Spec = spec, UpdatedAt = time.GetUtcNow() }, ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        changes.Bump();
        return updated;
    }

    /// <summary>The inline policies (name → document as written) of a user, group or role.</summary>
    public static IReadOnlyDictionary<string, string> InlineOf(Resource principal) =>
        (principal.Spec.TryGetProperty("inlinePolicies", out var inline) && inline.ValueKind == JsonValueKind.Object
            ? inline.Deserialize<Dictionary<string, string>>(NimbusJson.Options)
            : null) ?? new Dictionary<string, string>();

    /// <summary>A user, group or role of the account, or NotFound.</summary>
    public static Resource Owned(Resource? principal, string account, string kind, string id) =>
        principal is null || principal.Kind != kind || principal.Account != account ? throw NimbusException.NotFound($"{Noun(kind)} '{id}'") : principal;

    private static string Noun(string kind) => kind switch
    {
        IamKinds.User => "User",
        IamKinds.Role => "Role",
        _ => "Group",
    };

    /// <summary>Sets (or, with a null reference, removes) the permissions boundary of a user or role.</summary>
    public async Task<Resource> SetBoundaryAsync(string account, string kind, string principalId, string? reference, CancellationToken cancellationToken)
    {
        var canonical = reference is null ? null : await policies.ResolveAsync(account, reference, cancellationToken).ConfigureAwait(false);
        var updated = await store.WriteAsync(
            async (w, ct) =>
            {
                var principal = await w.GetAsync(principalId, ct).ConfigureAwait(false);
                if (principal is null || principal.Kind != kind || principal.Account != account)
                {
                    throw NimbusException.NotFound($"{(kind == IamKinds.Role ? "Role" : "User")} '{principalId}'");
                }

                System.Text.Json.JsonElement? spec = null;
                if (kind == IamKinds.Role)
                {
                    var roleSpec = principal.Spec.Deserialize<RoleSpec>(NimbusJson.Options) ?? new RoleSpec();
                    spec = roleSpec.PermissionsBoundary == canonical ? null : JsonSerializer.SerializeToElement(roleSpec with { PermissionsBoundary = canonical }, NimbusJson.Options);
                }
                else
                {
                    var userSpec = principal.Spec.Deserialize<UserSpec>(NimbusJson.Options) ?? new UserSpec();
                    spec = userSpec.PermissionsBoundary == canonical ? null : JsonSerializer.SerializeToElement(userSpec with { PermissionsBoundary = canonical }, NimbusJson.Options);
                }

                return spec is null ? principal : await w.UpdateAsync(principal with { Spec = spec.Value, UpdatedAt = time.GetUtcNow() }, ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        changes.Bump();
        return updated;
    }

    public async Task<Resource> ChangeAsync(string account, string kind, string principalId, string? reference, bool attach, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(reference))
        {
            throw NimbusException.Invalid("policy", "is required");
        }

        var canonical = await policies.ResolveAsync(account, reference, cancellationToken).ConfigureAwait(false);
        var updated = await store.WriteAsync(
            async (w, ct) =>
            {
                var principal = await w.GetAsync(principalId, ct).ConfigureAwait(false);
                if (principal is null || principal.Kind != kind || principal.Account != account)
                {
                    throw NimbusException.NotFound($"{(kind == IamKinds.User ? "User" : kind == IamKinds.Role ? "Role" : "Group")} '{principalId}'");
                }

                var attached = ManagedPolicyService.AttachedOf(principal).ToList();
                if (attach == attached.Contains(canonical))
                {
                    return principal;
                }

                if (attach && attached.Count >= MaxAttached)
                {
                    throw new NimbusException(Contracts.Errors.ErrorCodes.QuotaExceeded, 409, $"At most {MaxAttached} policies can be attached to {principal.Name}.");
                }

                if (attach)
                {
                    attached.Add(canonical);
                }
                else
                {
                    attached.Remove(canonical);
                }

                var list = attached.ToImmutableArray();
                var spec = kind switch
                {
                    IamKinds.User => JsonSerializer.SerializeToElement((principal.Spec.Deserialize<UserSpec>(NimbusJson.Options) ?? new UserSpec()) with { AttachedPolicies = list }, NimbusJson.Options),
                    IamKinds.Role => JsonSerializer.SerializeToElement((principal.Spec.Deserialize<RoleSpec>(NimbusJson.Options) ?? new RoleSpec()) with { AttachedPolicies = list }, NimbusJson.Options),
                    _ => JsonSerializer.SerializeToElement((principal.Spec.Deserialize<GroupSpec>(NimbusJson.Options) ?? new GroupSpec()) with { AttachedPolicies = list }, NimbusJson.Options),
                };
                return await w.UpdateAsync(principal with { Spec = spec, UpdatedAt = time.GetUtcNow() }, ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        changes.Bump();
        return updated;
    }
}
