using Nimbus.Iam.Policies;

namespace Nimbus.Compute.Networking.SecurityGroups;

/// <summary>The IAM actions of security groups (service <c>network</c>; the VPC actions register beside them).</summary>
public static class SecurityGroupActions
{
    public const string CreateSecurityGroup = "network:CreateSecurityGroup";
    public const string ListSecurityGroups = "network:ListSecurityGroups";
    public const string GetSecurityGroup = "network:GetSecurityGroup";
    public const string DeleteSecurityGroup = "network:DeleteSecurityGroup";
    public const string AuthorizeSecurityGroupIngress = "network:AuthorizeSecurityGroupIngress";
    public const string AuthorizeSecurityGroupEgress = "network:AuthorizeSecurityGroupEgress";
    public const string RevokeSecurityGroupIngress = "network:RevokeSecurityGroupIngress";
    public const string RevokeSecurityGroupEgress = "network:RevokeSecurityGroupEgress";

    public static void Register(ActionCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        catalog.Register("network",
        [
            ("CreateSecurityGroup", ActionAccessLevel.Write), ("ListSecurityGroups", ActionAccessLevel.List),
            ("GetSecurityGroup", ActionAccessLevel.Read), ("DeleteSecurityGroup", ActionAccessLevel.Write),
            ("AuthorizeSecurityGroupIngress", ActionAccessLevel.Write), ("AuthorizeSecurityGroupEgress", ActionAccessLevel.Write),
            ("RevokeSecurityGroupIngress", ActionAccessLevel.Write), ("RevokeSecurityGroupEgress", ActionAccessLevel.Write),
        ]);
    }
}
