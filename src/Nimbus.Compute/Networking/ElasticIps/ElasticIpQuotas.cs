using Nimbus.Core.Quotas;

namespace Nimbus.Compute.Networking.ElasticIps;

/// <summary>Elastic IP quotas, per account.</summary>
public static class ElasticIpQuotas
{
    /// <summary>Elastic IPs the account holds, associated or not: the pool is shared by every account of the installation.</summary>
    public static readonly QuotaDefinition ElasticIps = new()
    {
        Code = "network.eips",
        Description = "Elastic IPs per account (associated or not)",
        DefaultLimit = 5,
        Unit = "addresses",
    };
}
