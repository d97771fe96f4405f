using Nimbus.Core.Store;
using Nimbus.Store.Postgres;
using Nimbus.Store.Sqlite;

namespace Nimbus.Store;

/// <summary>Picks the engine from one configuration string, so that the server needs a single setting.</summary>
public static class ResourceStoreFactory
{
    /// <summary>File name of the SQLite database when the configuration names a directory.</summary>
    public const string DefaultSqliteFileName = "nimbus.db";

    /// <summary>
    /// Creates (but does not initialize) a store from <paramref name="connection"/>:
    /// <list type="bullet">
    /// <item><c>sqlite:&lt;path&gt;</c> or a bare path: SQLite; a path to an existing directory means <c>&lt;dir&gt;/nimbus.db</c>.</item>
    /// <item><c>postgres:&lt;connection string&gt;</c>, <c>postgresql:&lt;...&gt;</c>, or a bare Npgsql connection
    /// string (anything containing <c>=</c>, e.g. <c>Host=db1;Port=5432;Database=nimbus</c>): PostgreSQL.</item>
    /// </list>
    /// </summary>
    /// <param name="connection">Required. The store setting.</param>
    /// <param name="timeProvider">Optional clock for change-feed times; default <see cref="TimeProvider.System"/>.</param>
    public static IResourceStore Create(string connection, TimeProvider? timeProvider = null)
    {
        var time = timeProvider ?? TimeProvider.System;
        var location = StoreLocation.Parse(connection);
        return location.IsPostgres
            ? new PostgresResourceStore(new PostgresStoreOptions { ConnectionString = location.Target, TimeProvider = time })
            : new SqliteResourceStore(new SqliteStoreOptions { Path = location.Target, TimeProvider = time });
    }
}
