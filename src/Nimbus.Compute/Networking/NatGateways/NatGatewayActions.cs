using Nimbus.Iam.Policies;

namespace Nimbus.Compute.Networking.NatGateways;

/// <summary>The IAM actions of NAT gateways (service <c>network</c>).</summary>
public static class NatGatewayActions
{
    public const string CreateNatGateway = "network:CreateNatGateway";
    public const string DeleteNatGateway = "network:DeleteNatGateway";
    public const string GetNatGateway = "network:GetNatGateway";
    public const string ListNatGateways = "network:ListNatGateways";
    public const string CreatePortForward = "network:CreatePortForward";
    public const string DeletePortForward = "network:DeletePortForward";
    public const string ListPortForwards = "network:ListPortForwards";

    public static void Register(ActionCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        catalog.Register("network",
        [
            ("CreateNatGateway", ActionAccessLevel.Write), ("DeleteNatGateway", ActionAccessLevel.Write),
            ("GetNatGateway", ActionAccessLevel.Read), ("ListNatGateways", ActionAccessLevel.List),
            ("CreatePortForward", ActionAccessLevel.Write), ("DeletePortForward", ActionAccessLevel.Write),
            ("ListPortForwards", ActionAccessLevel.List),
        ]);
    }
}
