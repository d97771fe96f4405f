using Nimbus.Iam.Policies;

namespace Nimbus.Compute.Networking.Interfaces;

/// <summary>The IAM actions of network interfaces (service <c>network</c>).</summary>
public static class NetworkInterfaceActions
{
    public const string CreateNetworkInterface = "network:CreateNetworkInterface";
    public const string ListNetworkInterfaces = "network:ListNetworkInterfaces";
    public const string GetNetworkInterface = "network:GetNetworkInterface";
    public const string DeleteNetworkInterface = "network:DeleteNetworkInterface";
    public const string AttachNetworkInterface = "network:AttachNetworkInterface";
    public const string DetachNetworkInterface = "network:DetachNetworkInterface";
    public const string AssignPrivateIpAddresses = "network:AssignPrivateIpAddresses";
    public const string UnassignPrivateIpAddresses = "network:UnassignPrivateIpAddresses";
    public const string ModifyNetworkInterfaceAttribute = "network:ModifyNetworkInterfaceAttribute";

    public static void Register(ActionCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        catalog.Register("network",
        [
            ("CreateNetworkInterface", ActionAccessLevel.Write), ("ListNetworkInterfaces", ActionAccessLevel.List),
            ("GetNetworkInterface", ActionAccessLevel.Read), ("DeleteNetworkInterface", ActionAccessLevel.Write),
            ("AttachNetworkInterface", ActionAccessLevel.Write), ("DetachNetworkInterface", ActionAccessLevel.Write),
            ("AssignPrivateIpAddresses", ActionAccessLevel.Write), ("UnassignPrivateIpAddresses", ActionAccessLevel.Write),
            ("ModifyNetworkInterfaceAttribute", ActionAccessLevel.Write),
        ]);
    }
}
