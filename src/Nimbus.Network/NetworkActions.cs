using Nimbus.Iam.Policies;

namespace Nimbus.Network;

/// <summary>
/// The IAM actions of the network service's VPCs and subnets. Registering them gives the built-in
/// <c>NetworkFullAccess</c> and <c>NetworkReadOnlyAccess</c> managed policies and adds the read actions to <c>ReadOnlyAccess</c>.
/// </summary>
public static class NetworkActions
{
    public const string CreateVpc = "network:CreateVpc";
    public const string ListVpcs = "network:ListVpcs";
    public const string GetVpc = "network:GetVpc";
    public const string DeleteVpc = "network:DeleteVpc";
    public const string CreateSubnet = "network:CreateSubnet";
    public const string ListSubnets = "network:ListSubnets";
    public const string GetSubnet = "network:GetSubnet";
    public const string DeleteSubnet = "network:DeleteSubnet";

    public static void Register(ActionCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        catalog.Register("network",
        [
            ("CreateVpc", ActionAccessLevel.Write), ("ListVpcs", ActionAccessLevel.List), ("GetVpc", ActionAccessLevel.Read), ("DeleteVpc", ActionAccessLevel.Write),
            ("CreateSubnet", ActionAccessLevel.Write), ("ListSubnets", ActionAccessLevel.List), ("GetSubnet", ActionAccessLevel.Read), ("DeleteSubnet", ActionAccessLevel.Write),
        ]);
    }
}
