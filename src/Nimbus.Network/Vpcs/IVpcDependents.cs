using Nimbus.Core.Resources;
using Nimbus.Core.Store;

namespace Nimbus.Network.Vpcs;

/// <summary>
/// What other services keep per VPC (the compute service's default security group of each VPC), made and removed in
/// the unit of work that creates or deletes the VPC, so that a VPC never exists without them and they never outlive it.
/// </summary>
public interface IVpcDependents
{
    /// <summary>The VPC was just created (not the account's default VPC), in the caller's unit of work.</summary>
    Task CreatedAsync(IStoreWriter writer, Resource vpc, CancellationToken cancellationToken);

    /// <summary>
    /// The VPC is being deleted (it has no subnet left), in the caller's unit of work: remove what belongs to it, or
    /// throw <c>DependencyViolation</c> naming what the user must delete first.
    /// </summary>
    Task DeletingAsync(IStoreWriter writer, Resource vpc, CancellationToken cancellationToken);
}
