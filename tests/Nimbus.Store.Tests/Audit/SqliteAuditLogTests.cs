using Nimbus.Core.Audit;
using Nimbus.Store.Audit;
using Nimbus.Store.Sqlite;
using Shouldly;
using Xunit;

namespace Nimbus.Store.Tests.Audit;

/// <summary>The audit log contract on SQLite, in the resource store's file next to an open resource store.</summary>
public sealed class SqliteAuditLogTests : AuditLogContract
{
    private readonly TempDirectory _directory = new();
    private SqliteResourceStore? _store;

    private string DatabasePath => Path.Combine(_directory.Path, "nimbus.db");

    protected override IAuditLog CreateLog() => AuditLogFactory.Create(_directory.Path);

    protected override async Task PrepareStorageAsync()
    {
        _store = new SqliteResourceStore(new SqliteStoreOptions { Path = DatabasePath });
        await _store.InitializeAsync(Ct);
    }

    protected override async Task RemoveStorageAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        _directory.Dispose();
    }

    [Fact]
    public void The_factory_reads_the_store_setting_like_the_resource_store()
    {
        AuditLogFactory.Create(_directory.Path).ShouldBeOfType<SqliteAuditLog>().DatabasePath.ShouldBe(DatabasePath);
        AuditLogFactory.Create("sqlite:" + DatabasePath).ShouldBeOfType<SqliteAuditLog>().DatabasePath.ShouldBe(DatabasePath);
        AuditLogFactory.Create("Host=127.0.0.1;Database=nimbus").ShouldBeOfType<PostgresAuditLog>();
        AuditLogFactory.Create("postgres:Host=127.0.0.1").ShouldBeOfType<PostgresAuditLog>();
    }
}
