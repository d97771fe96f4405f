using Nimbus.Core.Audit;
using Nimbus.Store.Audit;
using Nimbus.Store.Tests.Postgres;
using Xunit;

namespace Nimbus.Store.Tests.Audit;

/// <summary>The audit log contract on PostgreSQL, each test with its own database.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresAuditLogTests(PostgresServer server) : AuditLogContract
{
    private string? _database;

    protected override IAuditLog CreateLog() => new PostgresAuditLog(server.ConnectionString(_database!));

    protected override async Task PrepareStorageAsync() => _database = await server.CreateDatabaseAsync();

    protected override async Task RemoveStorageAsync()
    {
        if (_database is not null)
        {
            await server.DropDatabaseAsync(_database);
        }
    }
}
