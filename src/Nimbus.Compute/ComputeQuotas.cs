using Nimbus.Core.Quotas;

namespace Nimbus.Compute;

/// <summary>Compute quotas, per account. Instances count from run until terminated.</summary>
public static class ComputeQuotas
{
    public static readonly QuotaDefinition Instances = new()
    {
        Code = "compute.instances",
        Description = "Instances per account (every phase but terminated)",
        DefaultLimit = 20,
        Unit = "instances",
    };

    public static readonly QuotaDefinition VCpus = new()
    {
        Code = "compute.vcpus",
        Description = "vCPUs of the account's instances (every phase but terminated)",
        DefaultLimit = 64,
        Unit = "vCPUs",
    };

    public static readonly QuotaDefinition MemoryMiB = new()
    {
        Code = "compute.memoryMiB",
        Description = "Memory of the account's instances in MiB (every phase but terminated)",
        DefaultLimit = 65536,
        Unit = "MiB",
    };

    public static readonly QuotaDefinition Images = new()
    {
        Code = "compute.images",
        Description = "Images per account (imported, built and made from instances; until deleted)",
        DefaultLimit = 50,
        Unit = "images",
    };
}
