using Nimbus.Core.Audit;

namespace Nimbus.Store.Audit;

/// <summary>
/// Opens the audit log in the same database as the resource store, from the same one configuration
/// string <see cref="ResourceStoreFactory.Create"/> reads (same prefixes, same defaults).
/// </summary>
public static class AuditLogFactory
{
    /// <summary>Creates (but does not initialize) the audit log for the store setting <paramref name="connection"/>.</summary>
    public static IAuditLog Create(string connection)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connection);
        if (TryStrip(connection, "postgres:", out var rest) || TryStrip(connection, "postgresql:", out rest))
        {
            return new PostgresAuditLog(rest);
        }

        if (TryStrip(connection, "sqlite:", out rest))
        {
            return CreateSqlite(rest);
        }

        return connection.Contains('=', StringComparison.Ordinal) ? new PostgresAuditLog(connection) : CreateSqlite(connection);
    }

    private static SqliteAuditLog CreateSqlite(string path) =>
        new(Directory.Exists(path) ? Path.Combine(path, ResourceStoreFactory.DefaultSqliteFileName) : path);

    private static bool TryStrip(string value, string prefix, out string rest)
    {
        if (value.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            rest = value[prefix.Length..].Trim();
            return true;
        }

        rest = string.Empty;
        return false;
    }
}
