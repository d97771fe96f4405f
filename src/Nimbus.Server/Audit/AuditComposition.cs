using Nimbus.Core.Audit;
using Nimbus.Server.Hosting;
using Nimbus.Store.Audit;

namespace Nimbus.Server.Audit;

/// <summary>The audit trail's services, kept here so that <see cref="NimbusHost"/> needs one line for them.</summary>
public static class AuditComposition
{
    public static IServiceCollection AddNimbusAudit(this IServiceCollection services, NimbusServerOptions options)
    {
        // From the store setting: the same PostgreSQL database, or a SQLite file next to the store's.
        var connection = string.IsNullOrEmpty(options.Store) ? Path.Combine(options.DataDirectory, StoreFactory.SqliteFileName) : options.Store;
        services.AddSingleton(new AuditOptions { Retention = TimeSpan.FromDays(options.AuditRetentionDays) });
        services.AddSingleton(_ => AuditLogFactory.Create(connection));
        services.AddSingleton<AuditTrail>();
        services.AddHostedService<AuditRetentionService>();
        return services;
    }
}
