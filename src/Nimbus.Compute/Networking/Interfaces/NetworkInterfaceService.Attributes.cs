using System.Text.Json;
using Nimbus.Compute.Instances;
using Nimbus.Compute.Networking.Appliances;
using Nimbus.Compute.Networking.SecurityGroups;
using Nimbus.Contracts.Network;
using Nimbus.Core.Api;
using Nimbus.Core.Errors;
using Nimbus.Core.Resources;

namespace Nimbus.Compute.Networking.Interfaces;

/// <summary>An interface's attributes changed after it is made: its security groups and its source/destination check.</summary>
public sealed partial class NetworkInterfaceService
{
    /// <summary>
    /// Replaces the interface's groups (same checks as at its creation: 1 to 5 groups of its VPC; a primary interface's
    /// are its instance's) and sets its source/destination check, in one unit of work; the node follows (as a delta of
    /// the filter, or of the anti-spoofing set) before the call returns.
    /// </summary>
    public async Task<Resource> ModifyAsync(string account, string idOrName, ModifyNetworkInterfaceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new FieldErrors();
        if (request.SecurityGroupIds is null && request.SourceDestCheck is null)
        {
            errors.Add("securityGroupIds", "give securityGroupIds, sourceDestCheck or both: nothing to change");
        }

        SecurityGroupService.ValidateList(errors, "securityGroupIds", request.SecurityGroupIds, required: false);
        errors.ThrowIfAny();
        var changed = await store.WriteAsync(
            async (w, ct) =>
            {
                var eni = await FindAsync(w, account, idOrName, ct).ConfigureAwait(false) ?? throw NimbusException.NotFound($"Network interface '{idOrName}'");
                var spec = SpecOf(eni);
                if (request.SecurityGroupIds is { } requested)
                {
                    // A primary interface's groups are its instance's (the membership is keyed by the instance).
                    var member = spec.Primary && spec.Attachment is { } owner ? owner.InstanceId : eni.Id;
                    var groups = await securityGroups.ReplaceGroupsAsync(w, account, spec.VpcId, member, requested, ct).ConfigureAwait(false);
                    if (spec.Primary && await w.GetAsync(member, ct).ConfigureAwait(false) is { Kind: ComputeKinds.Instance } instance)
                    {
                        var instanceSpec = InstanceService.SpecOf(instance);
                        await w.UpdateAsync(instance with { Spec = JsonSerializer.SerializeToElement(instanceSpec with { SecurityGroupIds = groups }, NimbusJson.Options), UpdatedAt = time.GetUtcNow() }, ct).ConfigureAwait(false);
                    }

                    spec = spec with { SecurityGroupIds = groups };
                }

                if (request.SourceDestCheck is { } check)
                {
                    await SourceDestChecks.SetAsync(w, eni.Id, check, ct).ConfigureAwait(false);
                    spec = spec with { SourceDestCheck = check };
                }

                return await UpdateAsync(w, eni, spec, null, ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        await ApplyAsync().ConfigureAwait(false);
        return changed;
    }
}
