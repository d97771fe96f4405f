using Nimbus.Contracts.Errors;
using Nimbus.Core.Errors;

namespace Nimbus.Network;

/// <summary>The network service's own failures, with their stable codes.</summary>
public static class NetworkErrors
{
    /// <summary>A resource still used by others: <paramref name="dependents"/> names each of them.</summary>
    public static NimbusException DependencyViolation(string what, IEnumerable<string> dependents) =>
        new(ErrorCodes.DependencyViolation, 409, $"{what} is still in use by {string.Join(", ", dependents)}; remove those first.");

    public static NimbusException CidrConflict(string message) => new(ErrorCodes.CidrConflict, 409, message);

    public static NimbusException AddressExhausted(string subnetId, string cidr, long usable) =>
        new(ErrorCodes.IpAddressExhausted, 409, $"Subnet {subnetId} ({cidr}) has no free address left ({usable} usable addresses, all held). Free addresses or use another subnet.");
}
