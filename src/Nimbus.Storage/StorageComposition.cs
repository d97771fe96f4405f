using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nimbus.Core.Api;
using Nimbus.Core.Audit;
using Nimbus.Core.Quotas;
using Nimbus.Core.Store;
using Nimbus.Iam.Authentication;
using Nimbus.Storage.Buckets;
using Nimbus.Storage.Engine;
using Nimbus.Storage.S3;

namespace Nimbus.Storage;

/// <summary>Registers object storage in the host: the engine, buckets, the S3 door, quotas and background work.</summary>
public static class StorageComposition
{
    public static IServiceCollection AddNimbusStorage(this IServiceCollection services, StorageOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton(StorageQuotas.Buckets);
        services.AddSingleton(StorageQuotas.Bytes);
        services.AddSingleton(sp => ObjectEngine.Open(options.Directory, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Nimbus.Storage.Engine")));
        services.AddSingleton(sp => new BucketService(
            sp.GetRequiredService<IResourceStore>(), sp.GetRequiredService<QuotaService>(), sp.GetRequiredService<TimeProvider>(), options, sp.GetRequiredService<ObjectEngine>()));
        services.AddSingleton(sp => new StorageUsage(
            sp.GetRequiredService<IResourceStore>(), sp.GetRequiredService<QuotaService>(), sp.GetRequiredService<ObjectEngine>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<StorageUsage>>()));
        services.AddSingleton(sp => new S3Authorizer(sp.GetRequiredService<IAuthorizer>()));
        services.AddSingleton<Core.Storage.IObjectStorageReader>(sp => new ObjectStorageReader(
            sp.GetRequiredService<ObjectEngine>(), sp.GetRequiredService<BucketService>(), sp.GetRequiredService<S3Authorizer>()));
        services.AddSingleton(sp => new S3Services(
            sp.GetRequiredService<ObjectEngine>(), sp.GetRequiredService<BucketService>(), sp.GetRequiredService<StorageUsage>(), sp.GetRequiredService<S3Authorizer>(), options, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<Iam.Policies.IActionCatalog>()));
        services.AddSingleton(sp => new S3Server(
            sp.GetRequiredService<S3Services>(), sp.GetRequiredService<SigV4Authenticator>(), sp.GetRequiredService<AuditTrail>(), sp.GetRequiredService<ILogger<S3Server>>()));
        services.AddSingleton(sp => new StorageRuntime(
            sp.GetRequiredService<ObjectEngine>(), sp.GetRequiredService<StorageUsage>(), options, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<StorageRuntime>>(),
            new Lifecycle.LifecycleWorker(
                sp.GetRequiredService<ObjectEngine>(), sp.GetRequiredService<BucketService>(), sp.GetRequiredService<IResourceStore>(), sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("Nimbus.Storage.Lifecycle"))));
        return services;
    }

    /// <summary>The marker a connection of the S3 listener carries in its items.</summary>
    public const string S3ConnectionMarker = "nimbus.s3";

    /// <summary>True when the request arrived on the S3 listener.</summary>
    public static bool IsS3Request(HttpContext context) =>
        context.Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionItemsFeature>()?.Items.ContainsKey(S3ConnectionMarker) == true;
}
