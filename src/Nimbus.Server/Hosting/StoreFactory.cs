using Nimbus.Core.Store;

namespace Nimbus.Server.Hosting;

/// <summary>Picks the store engine: SQLite in the data directory unless a PostgreSQL connection string is configured.</summary>
public static class StoreFactory
{
    public const string SqliteFileName = "nimbus.db";

    public static IResourceStore Create(NimbusServerOptions options) =>
        Nimbus.Store.ResourceStoreFactory.Create(string.IsNullOrEmpty(options.Store) ? Path.Combine(options.DataDirectory, SqliteFileName) : options.Store);
}
