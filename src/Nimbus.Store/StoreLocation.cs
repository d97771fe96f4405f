namespace Nimbus.Store;

/// <summary>
/// Where the one store setting points: a PostgreSQL connection string or a SQLite file. Parsed in
/// one place so the resource store and the audit log always open the same database.
/// </summary>
/// <param name="IsPostgres">True for PostgreSQL.</param>
/// <param name="Target">The Npgsql connection string, or the SQLite file path.</param>
internal sealed record StoreLocation(bool IsPostgres, string Target)
{
    /// <summary>
    /// <c>postgres:</c>/<c>postgresql:</c> prefixes or a bare string containing <c>=</c> mean PostgreSQL;
    /// <c>sqlite:</c> or a bare path mean SQLite, where an existing directory means <c>&lt;dir&gt;/nimbus.db</c>.
    /// </summary>
    public static StoreLocation Parse(string connection)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connection);
        if (TryStrip(connection, "postgres:", out var rest) || TryStrip(connection, "postgresql:", out rest))
        {
            return new StoreLocation(true, rest);
        }

        if (TryStrip(connection, "sqlite:", out rest))
        {
            return Sqlite(rest);
        }

        return connection.Contains('=', StringComparison.Ordinal) ? new StoreLocation(true, connection) : Sqlite(connection);
    }

    private static StoreLocation Sqlite(string path) =>
        new(false, Directory.Exists(path) ? Path.Combine(path, ResourceStoreFactory.DefaultSqliteFileName) : path);

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
