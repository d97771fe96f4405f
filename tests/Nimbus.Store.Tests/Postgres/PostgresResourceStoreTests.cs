using Nimbus.Core.Store;
using Nimbus.Store.Postgres;
using Xunit;

namespace Nimbus.Store.Tests.Postgres;

/// <summary>The store contract on PostgreSQL, each test with its own database.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresResourceStoreTests(PostgresServer server) : ResourceStoreContract
{
    private string? _database;

    protected override IResourceStore CreateStore() =>
        new PostgresResourceStore(new PostgresStoreOptions { ConnectionString = server.ConnectionString(_database!), TimeProvider = Clock });

    protected override async Task PrepareStorageAsync() => _database = await server.CreateDatabaseAsync();

    protected override async Task RemoveStorageAsync()
    {
        if (_database is not null)
        {
            await server.DropDatabaseAsync(_database);
        }
    }
}
