using Nimbus.Iam.Policies;

namespace Nimbus.Compute.Networking.ElasticIps;

/// <summary>The IAM actions of elastic IPs (service <c>network</c>).</summary>
public static class ElasticIpActions
{
    public const string AllocateAddress = "network:AllocateAddress";
    public const string ListAddresses = "network:ListAddresses";
    public const string GetAddress = "network:GetAddress";
    public const string AssociateAddress = "network:AssociateAddress";
    public const string DisassociateAddress = "network:DisassociateAddress";
    public const string ReleaseAddress = "network:ReleaseAddress";

    public static void Register(ActionCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        catalog.Register("network",
        [
            ("AllocateAddress", ActionAccessLevel.Write), ("ListAddresses", ActionAccessLevel.List), ("GetAddress", ActionAccessLevel.Read),
            ("AssociateAddress", ActionAccessLevel.Write), ("DisassociateAddress", ActionAccessLevel.Write), ("ReleaseAddress", ActionAccessLevel.Write),
        ]);
    }
}
