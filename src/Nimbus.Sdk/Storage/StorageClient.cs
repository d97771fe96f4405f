namespace Nimbus.Sdk.Storage;

/// <summary>Object storage in the REST API: buckets as platform resources. Objects themselves go through <see cref="S3.S3Client"/>.</summary>
public sealed class StorageClient
{
    internal StorageClient(NimbusClient client)
    {
        Buckets = new BucketsClient(client);
    }

    /// <summary>Buckets of the caller's account (<c>/v1/storage/buckets</c>).</summary>
    public BucketsClient Buckets { get; }
}
