using System.Collections.Immutable;
using System.Text.Json;
using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Iam;
using Nimbus.Core.Api;
using Nimbus.Core.Errors;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;

namespace Nimbus.Iam.Principals;

/// <summary>IAM groups: named sets of users of one account (policies attach to them later).</summary>
public sealed class GroupService(IResourceStore store, Authorization.IamChangeTracker changes, TimeProvider time)
{
    public const int MaxNameLength = 128;

    public Task<Resource> CreateAsync(string account, CreateGroupRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        IamValidation.Name(errors, "name", request.Name, MaxNameLength);
        IamValidation.Path(errors, "path", request.Path);
        errors.ThrowIfAny();
        return store.WriteAsync(
            async (w, ct) =>
            {
                if (await w.GetByNameAsync(account, IamKinds.Group, request.Name!, ct).ConfigureAwait(false) is not null)
                {
                    throw NimbusException.AlreadyExists($"Group '{request.Name}'");
                }

                var now = time.GetUtcNow();
                var spec = new GroupSpec { Path = request.Path ?? "/", Members = [] };
                return await w.CreateAsync(IamResources.New(IamKinds.Group, ResourceIds.New(IamKinds.GroupIdPrefix), account, request.Name!, spec, now), ct).ConfigureAwait(false);
            },
            cancellationToken);
    }

    public async Task<Resource> GetAsync(string account, string id, CancellationToken cancellationToken) =>
        Owned(await store.GetAsync(id, cancellationToken).ConfigureAwait(false), account, id);

    public Task<ResourcePage> ListAsync(string account, string? name, int pageSize, string? token, CancellationToken cancellationToken) =>
        store.ListAsync(new ResourceQuery { Kind = IamKinds.Group, Account = account, Name = name, PageSize = pageSize, PageToken = token }, cancellationToken);

    public Task<Resource> AddUserAsync(string account, string id, string? userName, CancellationToken cancellationToken) =>
        ChangeMembersAsync(account, id, userName, add: true, cancellationToken);

    public Task<Resource> RemoveUserAsync(string account, string id, string? userName, CancellationToken cancellationToken) =>
        ChangeMembersAsync(account, id, userName, add: false, cancellationToken);

    public Task DeleteAsync(string account, string id, CancellationToken cancellationToken) =>
        store.WriteAsync<bool>(
            async (w, ct) =>
            {
                var group = Owned(await w.GetAsync(id, ct).ConfigureAwait(false), account, id);
                if (MembersOf(group).Count > 0)
                {
                    throw new NimbusException(ErrorCodes.Conflict, 409, $"Group '{group.Name}' still has members; remove them first.");
                }

                await w.DeleteAsync(id, null, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken);

    public static IReadOnlyList<string> MembersOf(Resource group) =>
        group.Spec.Deserialize<GroupSpec>(NimbusJson.Options)?.Members ?? [];

    private async Task<Resource> ChangeMembersAsync(string account, string id, string? userName, bool add, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        IamValidation.Name(errors, "userName", userName, UserService.MaxNameLength);
        errors.ThrowIfAny();
        var updated = await store.WriteAsync(
            async (w, ct) =>
            {
                var group = Owned(await w.GetAsync(id, ct).ConfigureAwait(false), account, id);
                var user = await w.GetByNameAsync(account, IamKinds.User, userName!, ct).ConfigureAwait(false)
                    ?? throw NimbusException.NotFound($"User '{userName}'");
                var spec = group.Spec.Deserialize<GroupSpec>(NimbusJson.Options) ?? new GroupSpec();
                var members = (spec.Members ?? []).ToList();
                var changed = add ? !members.Contains(user.Id) : members.Remove(user.Id);
                if (add && changed)
                {
                    members.Add(user.Id);
                }

                if (!changed)
                {
                    return group;
                }

                return await w.UpdateAsync(
                    group with { Spec = JsonSerializer.SerializeToElement(spec with { Members = members.ToImmutableArray() }, NimbusJson.Options), UpdatedAt = time.GetUtcNow() },
                    ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        changes.Bump();
        return updated;
    }

    private static Resource Owned(Resource? resource, string account, string id) =>
        resource is null || resource.Kind != IamKinds.Group || resource.Account != account ? throw NimbusException.NotFound($"Group '{id}'") : resource;
}
