using System.Text.Json;
using Nimbus.Contracts.Iam;
using Nimbus.Core.Api;
using Nimbus.Core.Errors;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;
using Nimbus.Iam.Authorization;
using Nimbus.Iam.Policies;

namespace Nimbus.Iam.Principals;

/// <summary>IAM roles: a trust policy says who may assume them; attached policies say what sessions may do.</summary>
public sealed class RoleService(IResourceStore store, IActionCatalog catalog, IamChangeTracker changes, TimeProvider time)
{
    public const int DefaultSessionSeconds = 3600;
    public const int MinSessionSeconds = 900;
    public const int MaxSessionSeconds = 43200;

    public Task<Resource> CreateAsync(string account, CreateRoleRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        IamValidation.Name(errors, "name", request.Name, 64);
        IamValidation.Path(errors, "path", request.Path);
        if (request.MaxSessionDurationSeconds is < MinSessionSeconds or > MaxSessionSeconds)
        {
            errors.Add("maxSessionDurationSeconds", $"must be from {MinSessionSeconds} to {MaxSessionSeconds}");
        }

        if (string.IsNullOrWhiteSpace(request.TrustPolicy))
        {
            errors.Add("trustPolicy", "is required");
        }
        else
        {
            foreach (var error in PolicyDocument.Parse(request.TrustPolicy, catalog, PolicyKind.Trust).Errors)
            {
                errors.Add("trustPolicy", error.ToString());
            }
        }

        errors.ThrowIfAny();
        return store.WriteAsync(
            async (w, ct) =>
            {
                if (await w.GetByNameAsync(account, IamKinds.Role, request.Name!, ct).ConfigureAwait(false) is not null)
                {
                    throw NimbusException.AlreadyExists($"Role '{request.Name}'");
                }

                var now = time.GetUtcNow();
                var spec = new RoleSpec
                {
                    Path = request.Path ?? "/",
                    TrustPolicy = request.TrustPolicy,
                    MaxSessionDurationSeconds = request.MaxSessionDurationSeconds ?? DefaultSessionSeconds,
                    AttachedPolicies = [],
                };
                return await w.CreateAsync(IamResources.New(IamKinds.Role, ResourceIds.New(IamKinds.RoleIdPrefix), account, request.Name!, spec, now), ct).ConfigureAwait(false);
            },
            cancellationToken);
    }

    public async Task<Resource> GetAsync(string account, string id, CancellationToken cancellationToken) =>
        Owned(await store.GetAsync(id, cancellationToken).ConfigureAwait(false), account, id);

    public Task<ResourcePage> ListAsync(string account, string? name, int pageSize, string? token, CancellationToken cancellationToken) =>
        store.ListAsync(new ResourceQuery { Kind = IamKinds.Role, Account = account, Name = name, PageSize = pageSize, PageToken = token }, cancellationToken);

    /// <summary>Deletes a role; its sessions stop working at once (they are checked against the role on every request).</summary>
    public async Task DeleteAsync(string account, string id, CancellationToken cancellationToken)
    {
        await store.WriteAsync<bool>(
            async (w, ct) =>
            {
                Owned(await w.GetAsync(id, ct).ConfigureAwait(false), account, id);
                await w.LockKeyAsync(Sts.StsService.RoleSessionsNamespace, id, ct).ConfigureAwait(false);
                await w.DeleteValueAsync(Sts.StsService.RoleSessionsNamespace, id, ct).ConfigureAwait(false);
                await w.DeleteAsync(id, null, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
        changes.Bump();
    }

    public static RoleSpec SpecOf(Resource role) => role.Spec.Deserialize<RoleSpec>(NimbusJson.Options) ?? new RoleSpec();

    private static Resource Owned(Resource? resource, string account, string id) =>
        resource is null || resource.Kind != IamKinds.Role || resource.Account != account ? throw NimbusException.NotFound($"Role '{id}'") : resource;
}
