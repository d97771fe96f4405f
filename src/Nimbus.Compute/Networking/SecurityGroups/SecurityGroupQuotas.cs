using Nimbus.Core.Quotas;

namespace Nimbus.Compute.Networking.SecurityGroups;

/// <summary>Security group quotas, per account.</summary>
public static class SecurityGroupQuotas
{
    public static readonly QuotaDefinition Rules = new()
    {
        Code = "network.securityGroupRules",
        Description = "Security group rules per account (all groups, ingress and egress)",
        DefaultLimit = 2000,
        Unit = "rules",
    };
}
