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
    public const string CreateRouteTable = "network:CreateRouteTable";
    public const string ListRouteTables = "network:ListRouteTables";
    public const string GetRouteTable = "network:GetRouteTable";
    public const string DeleteRouteTable = "network:DeleteRouteTable";
    public const string CreateRoute = "network:CreateRoute";
    public const string DeleteRoute = "network:DeleteRoute";
    public const string AssociateRouteTable = "network:AssociateRouteTable";
    public const string DisassociateRouteTable = "network:DisassociateRouteTable";
    public const string CreatePeering = "network:CreateVpcPeeringConnection";
    public const string ListPeerings = "network:ListVpcPeeringConnections";
    public const string GetPeering = "network:GetVpcPeeringConnection";
    public const string AcceptPeering = "network:AcceptVpcPeeringConnection";
    public const string RejectPeering = "network:RejectVpcPeeringConnection";
    public const string DeletePeering = "network:DeleteVpcPeeringConnection";

    public static void Register(ActionCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        catalog.Register("network",
        [
            ("CreateVpc", ActionAccessLevel.Write), ("ListVpcs", ActionAccessLevel.List), ("GetVpc", ActionAccessLevel.Read), ("DeleteVpc", ActionAccessLevel.Write),
            ("CreateSubnet", ActionAccessLevel.Write), ("ListSubnets", ActionAccessLevel.List), ("GetSubnet", ActionAccessLevel.Read), ("DeleteSubnet", ActionAccessLevel.Write),
            ("CreateRouteTable", ActionAccessLevel.Write), ("ListRouteTables", ActionAccessLevel.List), ("GetRouteTable", ActionAccessLevel.Read), ("DeleteRouteTable", ActionAccessLevel.Write),
            ("CreateRoute", ActionAccessLevel.Write), ("DeleteRoute", ActionAccessLevel.Write), ("AssociateRouteTable", ActionAccessLevel.Write), ("DisassociateRouteTable", ActionAccessLevel.Write),
            ("CreateVpcPeeringConnection", ActionAccessLevel.Write), ("ListVpcPeeringConnections", ActionAccessLevel.List), ("GetVpcPeeringConnection", ActionAccessLevel.Read),
            ("AcceptVpcPeeringConnection", ActionAccessLevel.Write), ("RejectVpcPeeringConnection", ActionAccessLevel.Write), ("DeleteVpcPeeringConnection", ActionAccessLevel.Write),
        ]);
    }
}
