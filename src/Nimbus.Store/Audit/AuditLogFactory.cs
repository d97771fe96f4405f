using Nimbus.Core.Audit;

namespace Nimbus.Store.Audit;

/// <summary>
/// Opens the audit log that belongs to the resource store, from the same one configuration string
/// <see cref="ResourceStoreFactory.Create"/> reads (same prefixes, same defaults): on PostgreSQL the
/// same database, on SQLite a file of its own next to the store's (<see cref="SqliteAuditLog.PathFor"/>).
/// </summary>
public static class AuditLogFactory
{
    /// <summary>Creates (but does not initialize) the audit log for the store setting <paramref name="connection"/>.</summary>
    public static IAuditLog Create(string connection)
    {
        var location = StoreLocation.Parse(connection);
        return location.IsPostgres ? new PostgresAuditLog(location.Target) : new SqliteAuditLog(SqliteAuditLog.PathFor(location.Target), legacyPath: location.Target);
    }
}
