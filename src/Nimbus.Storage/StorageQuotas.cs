using Nimbus.Core.Quotas;

namespace Nimbus.Storage;

/// <summary>Object storage quotas, per account.</summary>
public static class StorageQuotas
{
    public static readonly QuotaDefinition Buckets = new()
    {
        Code = "storage.buckets",
        Description = "Buckets per account",
        DefaultLimit = 100,
        Unit = "buckets",
    };

    /// <summary>
    /// Bytes of object data per account (every stored object and uploaded part). Checked before a PUT is
    /// accepted; the usage shown by the quota API follows the object index within about a second.
    /// </summary>
    public static readonly QuotaDefinition Bytes = new()
    {
        Code = "storage.bytes",
        Description = "Bytes of object data per account (objects and uploaded parts)",
        DefaultLimit = 1L << 40,
        Unit = "bytes",
    };
}
