using Nimbus.Contracts.Errors;
using Nimbus.Core.Errors;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;
using Nimbus.Network.Vpcs;

namespace Nimbus.Compute.Networking.SecurityGroups;

/// <summary>
/// Each VPC's own default group: made in the unit of work that creates the VPC, used by an instance or interface of the
/// VPC that names no group, deleted with the VPC. The account's default VPC keeps the account's group named
/// <c>default</c> (it predates VPCs); any other VPC's is named <c>default-&lt;vpc id&gt;</c>, since names are unique
/// among an account's groups.
/// </summary>
public sealed partial class SecurityGroupService : IVpcDependents
{
    /// <summary>What the name of a VPC's default group starts with (<c>default-vpc-...</c>); user groups may not.</summary>
    public const string VpcDefaultPrefix = DefaultName + "-vpc-";

    public static string VpcDefaultName(string vpcId) => DefaultName + "-" + vpcId;

    public async Task CreatedAsync(IStoreWriter writer, Resource vpc, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(vpc);
        await LockAsync(writer, vpc.Account, cancellationToken).ConfigureAwait(false);
        await VpcDefaultGroupAsync(writer, vpc.Account, vpc.Id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes the VPC's default group; refused with <c>DependencyViolation</c> while the VPC has other groups (they
    /// would be left in a VPC that no longer exists).
    /// </summary>
    public async Task DeletingAsync(IStoreWriter writer, Resource vpc, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(vpc);
        await LockAsync(writer, vpc.Account, cancellationToken).ConfigureAwait(false);
        var groups = (await AllGroupsAsync(vpc.Account, cancellationToken).ConfigureAwait(false)).Where(g => SpecOf(g).VpcId == vpc.Id).ToList();
        var others = groups.Where(g => !SpecOf(g).IsDefault).Select(g => $"security group {g.Name} ({g.Id})").ToList();
        if (others.Count > 0)
        {
            throw new NimbusException(ErrorCodes.DependencyViolation, 409, $"VPC {vpc.Id} still has {string.Join(", ", others)}; delete those groups first (its default group goes with it).");
        }

        foreach (var group in groups)
        {
            // Read again in the unit: the list above was read outside it.
            if (await writer.GetAsync(group.Id, cancellationToken).ConfigureAwait(false) is { } current)
            {
                await quotas.ReleaseAsync(writer, vpc.Account, SecurityGroupQuotas.Rules.Code, SpecOf(current).Rules.Count, cancellationToken).ConfigureAwait(false);
                await writer.DeleteAsync(current.Id, null, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The default group of a VPC key (<c>default</c>: the account's group of its default VPC), in the caller's unit of
    /// work under the account's membership lock; made now for a VPC created before VPCs had their own.
    /// </summary>
    private async Task<Resource> DefaultGroupAsync(IStoreWriter writer, string account, string vpc, CancellationToken cancellationToken) =>
        vpc == DefaultNetwork.Id
            ? await DefaultGroupAsync(writer, account, cancellationToken).ConfigureAwait(false)
            : await VpcDefaultGroupAsync(writer, account, vpc, cancellationToken).ConfigureAwait(false);

    private async Task<Resource> VpcDefaultGroupAsync(IStoreWriter writer, string account, string vpcId, CancellationToken cancellationToken) =>
        await writer.GetByNameAsync(account, Kind, VpcDefaultName(vpcId), cancellationToken).ConfigureAwait(false)
        ?? await CreateCoreAsync(writer, account, VpcDefaultName(vpcId), $"Default group of VPC {vpcId}: members talk to each other, egress allowed", vpcId, isDefault: true, null, cancellationToken).ConfigureAwait(false);
}
