using System.Collections.Immutable;
using System.Text.Json;
using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Network;
using Nimbus.Core.Api;
using Nimbus.Core.Errors;
using Nimbus.Core.Quotas;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;

namespace Nimbus.Compute.Networking.SecurityGroups;

/// <summary>
/// Security groups: validation and desired-state writes. Every write of an account's groups (and every change of an
/// instance's groups) holds the account's membership lock (<see cref="SecurityGroupMembers"/>), so rule references,
/// memberships and deletions never race. After a write commits the node's ruleset is rebuilt from the store, so a
/// change is in the kernel when the call returns.
/// </summary>
public sealed partial class SecurityGroupService(IResourceStore store, QuotaService quotas, DefaultNetwork network, ComputeOptions options, TimeProvider time)
{
    public const string Kind = "network/security-group";
    public const string Prefix = "sg";
    public const string RulePrefix = "sgr";
    public const string DefaultName = "default";
    public const string MembersNamespace = "network.security-group-members";

    /// <summary>Rules of one group, ingress and egress together (its own members rule included); <c>LimitExceeded</c> past it.</summary>
    public const int MaxRulesPerGroup = 100;

    /// <summary>Groups of one interface; their rules apply as one union.</summary>
    public const int MaxGroupsPerInterface = 5;

    public async Task<Resource> CreateAsync(string account, CreateSecurityGroupRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new FieldErrors();
        if (request.Name is null)
        {
            errors.Add("name", "is required");
        }
        else
        {
            CommonValidation.Name(errors, "name", request.Name);
            if (request.Name.StartsWith(Prefix + "-", StringComparison.Ordinal))
            {
                errors.Add("name", "must not start with 'sg-' (ids do)");
            }
            else if (request.Name.StartsWith(VpcDefaultPrefix, StringComparison.Ordinal))
            {
                errors.Add("name", $"must not start with '{VpcDefaultPrefix}' (the default group of each VPC is named so)");
            }
        }

        CommonValidation.Tags(errors, "tags", request.Tags);
        if (request.Description is { Length: > 255 })
        {
            errors.Add("description", "must be at most 255 characters");
        }

        errors.ThrowIfAny();
        var created = await store.WriteAsync(
            async (w, ct) =>
            {
                var vpc = await GroupVpcAsync(w, account, request.VpcId ?? DefaultNetwork.Id, "vpcId", ct).ConfigureAwait(false);
                await LockAsync(w, account, ct).ConfigureAwait(false);
                if (await w.GetByNameAsync(account, Kind, request.Name!, ct).ConfigureAwait(false) is { } existing)
                {
                    throw NimbusException.AlreadyExists($"Security group named '{request.Name}' ({existing.Id})");
                }

                return await CreateCoreAsync(w, account, request.Name!, request.Description, vpc, isDefault: false, request.Tags, ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        await ApplyAsync().ConfigureAwait(false);
        return created;
    }

    public async Task<ResourcePage> ListAsync(string account, string? name, int pageSize, string? token, CancellationToken cancellationToken)
    {
        await EnsureDefaultAsync(account, cancellationToken).ConfigureAwait(false);
        return await store.ListAsync(new ResourceQuery { Kind = Kind, Account = account, Name = name, PageSize = pageSize, PageToken = token }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A group of the account by id or name (the default group is made on first use).</summary>
    public async Task<Resource> GetAsync(string account, string idOrName, CancellationToken cancellationToken)
    {
        if (idOrName == DefaultName)
        {
            await EnsureDefaultAsync(account, cancellationToken).ConfigureAwait(false);
        }

        return await FindAsync(store, account, idOrName, cancellationToken).ConfigureAwait(false) ?? throw NimbusException.NotFound($"Security group '{idOrName}'");
    }

    /// <summary>
    /// Deletes a group. Refused with <c>DependencyViolation</c> while an instance that is not terminated uses it or
    /// another group's rule names it (both are named in the message), and for the default group.
    /// </summary>
    public async Task DeleteAsync(string account, string idOrName, CancellationToken cancellationToken)
    {
        if (idOrName == DefaultName)
        {
            await EnsureDefaultAsync(account, cancellationToken).ConfigureAwait(false);
        }

        await store.WriteAsync<bool>(
            async (w, ct) =>
            {
                await LockAsync(w, account, ct).ConfigureAwait(false);
                var group = await FindAsync(w, account, idOrName, ct).ConfigureAwait(false) ?? throw NimbusException.NotFound($"Security group '{idOrName}'");
                var spec = SpecOf(group);
                if (spec.IsDefault)
                {
                    throw new NimbusException(ErrorCodes.OperationNotPermitted, 409, spec.VpcId == DefaultNetwork.Id
                        ? $"Security group {group.Name} ({group.Id}) is the account's default group (of its default VPC); it cannot be deleted."
                        : $"Security group {group.Name} ({group.Id}) is the default group of VPC {spec.VpcId}; it goes when the VPC is deleted.");
                }

                var members = await ReadMembersAsync(w, account, ct).ConfigureAwait(false);
                var users = members.Instances.Where(m => m.Value.Contains(group.Id)).Select(m => m.Key).Order(StringComparer.Ordinal).ToList();
                var referrers = (await AllGroupsAsync(account, ct).ConfigureAwait(false))
                    .Where(g => g.Id != group.Id && SpecOf(g).Rules.Any(r => r.GroupId == group.Id)).Select(g => g.Id).ToList();
                if (users.Count > 0 || referrers.Count > 0)
                {
                    var parts = new List<string>();
                    if (users.Count > 0)
                    {
                        // Members are instances (their primary interface) and secondary interfaces (eni-...), by id.
                        parts.Add((users.Any(u => u.StartsWith("eni-", StringComparison.Ordinal)) ? "instance(s) and interface(s) " : "instance(s) ")
                            + string.Join(", ", users.Take(20)) + (users.Count > 20 ? $" and {users.Count - 20} more" : ""));
                    }

                    if (referrers.Count > 0)
                    {
                        parts.Add("rules of security group(s) " + string.Join(", ", referrers));
                    }

                    throw new NimbusException(ErrorCodes.DependencyViolation, 409,
                        $"Security group {group.Name} ({group.Id}) is used by {string.Join(" and ", parts)}; move the instances to other groups (or terminate them) and revoke those rules first.");
                }

                await quotas.ReleaseAsync(w, account, SecurityGroupQuotas.Rules.Code, spec.Rules.Count, ct).ConfigureAwait(false);
                await w.DeleteAsync(group.Id, null, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
        await ApplyAsync().ConfigureAwait(false);
    }

    /// <summary>Adds a rule (<paramref name="direction"/>: ingress or egress). An identical rule already there is kept and nothing is added.</summary>
    public async Task<Resource> AuthorizeAsync(string account, string idOrName, string direction, SecurityGroupRuleRequest? request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var rule = SecurityGroupRuleValidation.Validate(errors, direction, request, ResourceIds.New(RulePrefix));
        errors.ThrowIfAny();
        if (idOrName == DefaultName)
        {
            await EnsureDefaultAsync(account, cancellationToken).ConfigureAwait(false);
        }

        var changed = await store.WriteAsync(
            async (w, ct) =>
            {
                await LockAsync(w, account, ct).ConfigureAwait(false);
                var group = await FindAsync(w, account, idOrName, ct).ConfigureAwait(false) ?? throw NimbusException.NotFound($"Security group '{idOrName}'");
                var spec = SpecOf(group);
                if (rule!.GroupId is { } peerId && peerId != group.Id)
                {
                    var peer = await w.GetAsync(peerId, ct).ConfigureAwait(false);
                    if (peer is null || peer.Kind != Kind || peer.Account != account)
                    {
                        throw NimbusException.Invalid("groupId", $"'{peerId}' is not a security group of this account");
                    }

                    if (SpecOf(peer).VpcId != spec.VpcId)
                    {
                        throw NimbusException.Invalid("groupId", $"security group {peerId} belongs to VPC {SpecOf(peer).VpcId}, not to {spec.VpcId} of {group.Id}; a rule may only name groups of its own VPC");
                    }
                }

                if (spec.Rules.Any(r => SecurityGroupRuleValidation.SameAs(r, rule)))
                {
                    return group;
                }

                // A fixed limit of the group, not the account's quota (network.securityGroupRules stays QuotaExceeded):
                // no quota raise lifts it, so the code says so.
                if (spec.Rules.Count >= MaxRulesPerGroup)
                {
                    throw new NimbusException(ErrorCodes.LimitExceeded, 409,
                        $"Security group {group.Name} ({group.Id}) has {spec.Rules.Count} rules, the most a group may have ({MaxRulesPerGroup}, ingress and egress together); revoke one or use another group.");
                }

                await quotas.ConsumeAsync(w, account, SecurityGroupQuotas.Rules.Code, 1, ct).ConfigureAwait(false);
                return await UpdateSpecAsync(w, group, spec with { Rules = [.. spec.Rules, rule] }, ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        await ApplyAsync().ConfigureAwait(false);
        return changed;
    }

    /// <summary>Removes a rule of <paramref name="direction"/> by its id; <c>NotFound</c> when the group has no such rule.</summary>
    public async Task<Resource> RevokeAsync(string account, string idOrName, string direction, string ruleId, CancellationToken cancellationToken)
    {
        var changed = await store.WriteAsync(
            async (w, ct) =>
            {
                await LockAsync(w, account, ct).ConfigureAwait(false);
                var group = await FindAsync(w, account, idOrName, ct).ConfigureAwait(false) ?? throw NimbusException.NotFound($"Security group '{idOrName}'");
                var spec = SpecOf(group);
                if (!spec.Rules.Any(r => r.Id == ruleId && r.Direction == direction))
                {
                    throw NimbusException.NotFound($"{char.ToUpperInvariant(direction[0])}{direction[1..]} rule '{ruleId}' of security group {group.Id}");
                }

                await quotas.ReleaseAsync(w, account, SecurityGroupQuotas.Rules.Code, 1, ct).ConfigureAwait(false);
                return await UpdateSpecAsync(w, group, spec with { Rules = [.. spec.Rules.Where(r => r.Id != ruleId)] }, ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        await ApplyAsync().ConfigureAwait(false);
        return changed;
    }

    public static SecurityGroupSpec SpecOf(Resource group) => group.Spec.Deserialize<SecurityGroupSpec>(NimbusJson.Options)!;

    private async Task EnsureDefaultAsync(string account, CancellationToken cancellationToken)
    {
        if (await store.GetByNameAsync(account, Kind, DefaultName, cancellationToken).ConfigureAwait(false) is not null)
        {
            return;
        }

        await store.WriteAsync(
            async (w, ct) =>
            {
                await LockAsync(w, account, ct).ConfigureAwait(false);
                return await DefaultGroupAsync(w, account, ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    private async Task<Resource> DefaultGroupAsync(IStoreWriter writer, string account, CancellationToken cancellationToken) =>
        await writer.GetByNameAsync(account, Kind, DefaultName, cancellationToken).ConfigureAwait(false)
        ?? await CreateCoreAsync(writer, account, DefaultName, "The account's default group: members talk to each other, egress allowed", DefaultNetwork.Id, isDefault: true, null, cancellationToken).ConfigureAwait(false);

    private async Task<Resource> CreateCoreAsync(
        IStoreWriter writer, string account, string name, string? description, string vpc, bool isDefault, IReadOnlyDictionary<string, string>? tags, CancellationToken cancellationToken)
    {
        var id = ResourceIds.New(Prefix);
        var members = new SecurityGroupRule
        {
            Id = ResourceIds.New(RulePrefix),
            Direction = SecurityGroupRuleValidation.Ingress,
            Protocol = "all",
            GroupId = id,
            Priority = SecurityGroupRuleValidation.MembersRulePriority,
            Action = SecurityGroupRuleValidation.Accept,
            Description = "members of the group talk to each other",
        };
        await quotas.ConsumeAsync(writer, account, SecurityGroupQuotas.Rules.Code, 1, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        return await writer.CreateAsync(
            new Resource
            {
                Id = id,
                Kind = Kind,
                Account = account,
                Region = options.Region,
                Name = name,
                Tags = tags is null ? ImmutableSortedDictionary<string, string>.Empty : tags.ToImmutableSortedDictionary(StringComparer.Ordinal),
                Spec = JsonSerializer.SerializeToElement(new SecurityGroupSpec { VpcId = vpc, Description = description, IsDefault = isDefault, Rules = [members] }, NimbusJson.Options),
                Status = new ResourceStatus { Phase = ResourcePhases.Ready },
                CreatedAt = now,
                UpdatedAt = now,
            },
            cancellationToken).ConfigureAwait(false);
    }

    private Task<Resource> UpdateSpecAsync(IStoreWriter writer, Resource group, SecurityGroupSpec spec, CancellationToken cancellationToken) =>
        writer.UpdateAsync(group with { Spec = JsonSerializer.SerializeToElement(spec, NimbusJson.Options), UpdatedAt = time.GetUtcNow() }, cancellationToken);

    private async Task<List<Resource>> AllGroupsAsync(string account, CancellationToken cancellationToken)
    {
        var all = new List<Resource>();
        string? token = null;
        do
        {
            var page = await store.ListAsync(new ResourceQuery { Kind = Kind, Account = account, PageSize = 500, PageToken = token }, cancellationToken).ConfigureAwait(false);
            all.AddRange(page.Items);
            token = page.NextPageToken;
        }
        while (token is not null);
        return all;
    }

    private static async Task<Resource?> FindAsync(IResourceStore reader, string account, string idOrName, CancellationToken cancellationToken)
    {
        var found = idOrName.StartsWith(Prefix + "-", StringComparison.Ordinal)
            ? await reader.GetAsync(idOrName, cancellationToken).ConfigureAwait(false)
            : await reader.GetByNameAsync(account, Kind, idOrName, cancellationToken).ConfigureAwait(false);
        return found is { Kind: Kind } && found.Account == account ? found : null;
    }

    private static async Task<Resource?> FindAsync(IStoreWriter reader, string account, string idOrName, CancellationToken cancellationToken)
    {
        var found = idOrName.StartsWith(Prefix + "-", StringComparison.Ordinal)
            ? await reader.GetAsync(idOrName, cancellationToken).ConfigureAwait(false)
            : await reader.GetByNameAsync(account, Kind, idOrName, cancellationToken).ConfigureAwait(false);
        return found is { Kind: Kind } && found.Account == account ? found : null;
    }

    private static Task LockAsync(IStoreWriter writer, string account, CancellationToken cancellationToken) =>
        writer.LockKeyAsync(MembersNamespace, account, cancellationToken);

    internal static async Task<SecurityGroupMembers> ReadMembersAsync(IStoreWriter writer, string account, CancellationToken cancellationToken)
    {
        var value = await writer.GetValueAsync(MembersNamespace, account, cancellationToken).ConfigureAwait(false);
        return value is null ? new SecurityGroupMembers() : JsonSerializer.Deserialize<SecurityGroupMembers>(value, NimbusJson.Options)!;
    }

    internal static Task WriteMembersAsync(IStoreWriter writer, string account, SecurityGroupMembers members, CancellationToken cancellationToken) =>
        writer.PutValueAsync(MembersNamespace, account, JsonSerializer.SerializeToUtf8Bytes(members, NimbusJson.Options), cancellationToken);

    /// <summary>
    /// The ruleset follows the store at once when the network is up (else the first instance brings it up with the
    /// groups in it). Not cancelled with the request: the change is committed and the kernel must follow.
    /// </summary>
    private Task ApplyAsync() => network.Current is null ? Task.CompletedTask : network.ApplyRulesAsync(CancellationToken.None);
}
