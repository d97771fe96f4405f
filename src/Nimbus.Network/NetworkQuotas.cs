using Nimbus.Core.Quotas;

namespace Nimbus.Network;

/// <summary>Network quotas, per account.</summary>
public static class NetworkQuotas
{
    /// <summary>VPCs the account created; its default VPC does not count, so that running an instance never fails on it.</summary>
    public static readonly QuotaDefinition Vpcs = new()
    {
        Code = "network.vpcs",
        Description = "VPCs per account (the default VPC not counted)",
        DefaultLimit = 5,
        Unit = "VPCs",
    };
}
