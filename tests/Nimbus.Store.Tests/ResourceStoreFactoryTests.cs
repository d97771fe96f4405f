using Nimbus.Store.Postgres;
using Nimbus.Store.Sqlite;
using Shouldly;
using Xunit;

namespace Nimbus.Store.Tests;

public sealed class ResourceStoreFactoryTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_path_or_sqlite_prefix_opens_sqlite()
    {
        var file = Path.Combine(_directory.Path, "state.db");

        await using var bare = ResourceStoreFactory.Create(file);
        await using var prefixed = ResourceStoreFactory.Create("sqlite:" + file);

        bare.ShouldBeOfType<SqliteResourceStore>().DatabasePath.ShouldBe(file);
        prefixed.ShouldBeOfType<SqliteResourceStore>().DatabasePath.ShouldBe(file);
        bare.Provider.ShouldBe("sqlite");
    }

    [Fact]
    public async Task A_directory_opens_nimbus_db_inside_it()
    {
        await using var store = ResourceStoreFactory.Create(_directory.Path);

        store.ShouldBeOfType<SqliteResourceStore>().DatabasePath.ShouldBe(Path.Combine(_directory.Path, "nimbus.db"));
    }

    [Theory]
    [InlineData("Host=127.0.0.1;Port=5432;Database=nimbus;Username=nimbus")]
    [InlineData("postgres:Host=db1;Database=nimbus")]
    [InlineData("PostgreSQL: Host=db1")]
    public async Task A_connection_string_or_postgres_prefix_opens_postgres(string setting)
    {
        await using var store = ResourceStoreFactory.Create(setting);

        store.ShouldBeOfType<PostgresResourceStore>().Provider.ShouldBe("postgres");
    }
}
