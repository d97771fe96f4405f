using System.Text.Json;
using Nimbus.Compute.Instances;
using Nimbus.Contracts.Network;
using Nimbus.Core.Api;
using Nimbus.Core.Errors;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;

namespace Nimbus.Compute.Networking.SecurityGroups;

/// <summary>Which groups an instance's interface is in: chosen at run, changed while it runs, given up at termination.</summary>
public sealed partial class SecurityGroupService
{
    /// <summary>Checks a list of groups as given (count, duplicates); the groups themselves are looked up in the unit of work.</summary>
    public static void ValidateList(FieldErrors errors, string field, IReadOnlyList<string>? groupIds, bool required)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (groupIds is null)
        {
            if (required)
            {
                errors.Add(field, $"is required: 1 to {MaxGroupsPerInterface} security group ids");
            }

            return;
        }

        if (groupIds.Count is 0 || groupIds.Count > MaxGroupsPerInterface)
        {
            errors.Add(field, $"must name 1 to {MaxGroupsPerInterface} security groups (an interface has at most {MaxGroupsPerInterface}), not {groupIds.Count}");
        }
        else if (groupIds.Distinct(StringComparer.Ordinal).Count() != groupIds.Count)
        {
            errors.Add(field, "names a security group twice");
        }
    }

    /// <summary>
    /// Puts new instances in their groups, in the caller's unit of work (after the network's IPAM record, before any
    /// resource write): the given ones (ids or names of the account's groups in the instances' network; <c>default</c>
    /// is the VPC's default group) or the VPC's default group. Returns the group ids every instance gets.
    /// </summary>
    public async Task<IReadOnlyList<string>> JoinAsync(IStoreWriter writer, string account, string networkId, IReadOnlyList<string> instanceIds, IReadOnlyList<string>? requested, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(instanceIds);
        var vpc = await GroupVpcAsync(writer, account, networkId, "subnetId", cancellationToken).ConfigureAwait(false);
        await LockAsync(writer, account, cancellationToken).ConfigureAwait(false);
        var groups = requested is null
            ? [(await DefaultGroupAsync(writer, account, vpc, cancellationToken).ConfigureAwait(false)).Id]
            : await ResolveAsync(writer, account, vpc, requested, "securityGroupIds", cancellationToken).ConfigureAwait(false);
        var members = await ReadMembersAsync(writer, account, cancellationToken).ConfigureAwait(false);
        foreach (var instanceId in instanceIds)
        {
            members.Instances[instanceId] = [.. groups];
        }

        await WriteMembersAsync(writer, account, members, cancellationToken).ConfigureAwait(false);
        return groups;
    }

    /// <summary>Takes a terminated instance out of its groups, in the caller's unit of work; nothing to do when it is in none.</summary>
    public static async Task LeaveAsync(IStoreWriter writer, string account, string instanceId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        await LockAsync(writer, account, cancellationToken).ConfigureAwait(false);
        var members = await ReadMembersAsync(writer, account, cancellationToken).ConfigureAwait(false);
        if (members.Instances.Remove(instanceId))
        {
            await WriteMembersAsync(writer, account, members, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Replaces the groups of an instance (any state but terminated); a running instance's traffic follows when the call returns.</summary>
    public async Task<Resource> SetInstanceGroupsAsync(string account, string instanceId, SetInstanceSecurityGroupsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new FieldErrors();
        ValidateList(errors, "securityGroupIds", request.SecurityGroupIds, required: true);
        errors.ThrowIfAny();
        var changed = await store.WriteAsync(
            async (w, ct) =>
            {
                await LockAsync(w, account, ct).ConfigureAwait(false);
                var instance = await w.GetAsync(instanceId, ct).ConfigureAwait(false);
                if (instance is null || instance.Kind != ComputeKinds.Instance || instance.Account != account)
                {
                    throw NimbusException.NotFound($"Instance '{instanceId}'");
                }

                var spec = InstanceService.SpecOf(instance);
                if (spec.DesiredState == InstanceStates.Terminated)
                {
                    throw ComputeErrors.IncorrectInstanceState(instanceId, instance.Status.Phase, "given other security groups");
                }

                var vpc = await GroupVpcAsync(w, account, spec.NetworkInterface?.NetworkId ?? DefaultNetwork.Id, "instanceId", ct).ConfigureAwait(false);
                var groups = await ResolveAsync(w, account, vpc, request.SecurityGroupIds!, "securityGroupIds", ct).ConfigureAwait(false);
                var members = await ReadMembersAsync(w, account, ct).ConfigureAwait(false);
                members.Instances[instanceId] = [.. groups];
                await WriteMembersAsync(w, account, members, ct).ConfigureAwait(false);
                if (spec.SecurityGroupIds.SequenceEqual(groups))
                {
                    return instance;
                }

                // The instance's primary interface shows the same groups.
                if (spec.NetworkInterface is { } nic && await w.GetAsync(nic.InterfaceId, ct).ConfigureAwait(false) is { Kind: Interfaces.NetworkInterfaceService.Kind } primary)
                {
                    var primarySpec = Interfaces.NetworkInterfaceService.SpecOf(primary);
                    await w.UpdateAsync(primary with { Spec = JsonSerializer.SerializeToElement(primarySpec with { SecurityGroupIds = groups }, NimbusJson.Options), UpdatedAt = time.GetUtcNow() }, ct).ConfigureAwait(false);
                }

                return await w.UpdateAsync(instance with { Spec = JsonSerializer.SerializeToElement(spec with { SecurityGroupIds = groups }, NimbusJson.Options), UpdatedAt = time.GetUtcNow() }, ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        await ApplyAsync().ConfigureAwait(false);
        return changed;
    }

    /// <summary>
    /// Replaces the groups of one member (an instance, or a secondary interface by its id) in the caller's unit of work,
    /// with the checks of a run: groups of the account in <paramref name="networkId"/>'s VPC. Returns the group ids.
    /// </summary>
    public async Task<IReadOnlyList<string>> ReplaceGroupsAsync(IStoreWriter writer, string account, string networkId, string memberId, IReadOnlyList<string> requested, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(requested);
        var vpc = await GroupVpcAsync(writer, account, networkId, "networkInterfaceId", cancellationToken).ConfigureAwait(false);
        await LockAsync(writer, account, cancellationToken).ConfigureAwait(false);
        var groups = await ResolveAsync(writer, account, vpc, requested, "securityGroupIds", cancellationToken).ConfigureAwait(false);
        var members = await ReadMembersAsync(writer, account, cancellationToken).ConfigureAwait(false);
        members.Instances[memberId] = [.. groups];
        await WriteMembersAsync(writer, account, members, cancellationToken).ConfigureAwait(false);
        return groups;
    }

    /// <summary>
    /// The VPC key of groups for a network: <c>default</c> for the legacy network and the account's default VPC (the
    /// account's groups made before VPCs belong to it), the VPC's id otherwise; <c>InvalidParameter</c> for a VPC that is
    /// not the account's.
    /// </summary>
    private static async Task<string> GroupVpcAsync(IStoreWriter writer, string account, string networkId, string field, CancellationToken cancellationToken)
    {
        if (networkId == DefaultNetwork.Id)
        {
            return DefaultNetwork.Id;
        }

        var vpc = await writer.GetAsync(networkId, cancellationToken).ConfigureAwait(false);
        if (vpc is null || vpc.Kind != Nimbus.Network.NetworkKinds.Vpc || vpc.Account != account)
        {
            throw NimbusException.Invalid(field, $"'{networkId}' is not a VPC of this account");
        }

        return Nimbus.Network.Vpcs.VpcService.SpecOf(vpc).IsDefault ? DefaultNetwork.Id : vpc.Id;
    }

    private async Task<IReadOnlyList<string>> ResolveAsync(IStoreWriter writer, string account, string vpc, IReadOnlyList<string> requested, string field, CancellationToken cancellationToken)
    {
        var ids = new List<string>(requested.Count);
        var errors = new FieldErrors();
        foreach (var reference in requested)
        {
            var group = reference == DefaultName
                ? await DefaultGroupAsync(writer, account, vpc, cancellationToken).ConfigureAwait(false)
                : await FindAsync(writer, account, reference, cancellationToken).ConfigureAwait(false);
            if (group is null)
            {
                errors.Add(field, $"'{reference}' is not a security group of this account");
            }
            else if (SpecOf(group).VpcId != vpc)
            {
                errors.Add(field, $"security group {group.Id} belongs to VPC {SpecOf(group).VpcId}, not to the instance's VPC {vpc}");
            }
            else if (!ids.Contains(group.Id))
            {
                ids.Add(group.Id);
            }
        }

        errors.ThrowIfAny();
        return ids;
    }
}
