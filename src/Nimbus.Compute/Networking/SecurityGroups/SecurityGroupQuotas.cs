using Nimbus.Core.Quotas;

namespace Nimbus.Compute.Networking.SecurityGroups;

/// <summary>Security group quotas, per account.</summary>
public static class SecurityGroupQuotas
{
    public static readonly QuotaDefinition Rules = new()
    {
        Code = "network.securityGroupRules",
        Description = "Security group rules of the account, ingress and egress, every group together (each group's own rule to its members counts)",
        DefaultLimit = 2000,
        Unit = "rules",
    };
}
