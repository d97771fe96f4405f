using Nimbus.Core.Store;
using Nimbus.Store.Postgres;
using Shouldly;
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

    [Fact]
    public async Task A_unit_that_loses_a_deadlock_is_run_again()
    {
        var attempts = 0;
        var firstHolds = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondHolds = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Each first attempt locks one kv row, waits until the other has locked the other row,
        // then reaches for it: PostgreSQL breaks the cycle by failing one of them with 40P01.
        Task<int> Cross(string mine, string theirs, TaskCompletionSource holding, TaskCompletionSource otherHolding) =>
            Store.WriteAsync(async (w, ct) =>
            {
                var attempt = Interlocked.Increment(ref attempts);
                await w.PutValueAsync("locks", mine, [1], ct);
                if (attempt <= 2)
                {
                    holding.TrySetResult();
                    await otherHolding.Task;
                }

                await w.PutValueAsync("locks", theirs, [2], ct);
                return attempt;
            }, Ct);

        var results = await Task.WhenAll(
            Cross("a", "b", firstHolds, secondHolds),
            Cross("b", "a", secondHolds, firstHolds)).WaitAsync(TimeSpan.FromSeconds(30));

        // At least the loser ran again; on a loaded machine the retry may itself wait out or lose once more.
        attempts.ShouldBeGreaterThanOrEqualTo(3);
        results.Max().ShouldBe(attempts);
        (await Store.GetValueAsync("locks", "a", Ct)).ShouldNotBeNull();
        (await Store.GetValueAsync("locks", "b", Ct)).ShouldNotBeNull();
    }

    [Fact]
    public void Missing_postgresql_binaries_fail_naming_the_debian_package()
    {
        var empty = Directory.CreateTempSubdirectory("nimbus-no-pg-").FullName;
        try
        {
            Should.Throw<InvalidOperationException>(() => PostgresServer.FindBinDirectory(empty, null))
                .Message.ShouldContain("Debian package 'postgresql'");
            Should.Throw<InvalidOperationException>(() => PostgresServer.FindBinDirectory("/nonexistent", empty))
                .Message.ShouldContain("Debian package 'postgresql'");
        }
        finally
        {
            Directory.Delete(empty);
        }
    }

    [Fact]
    public void The_newest_installed_server_is_chosen()
    {
        var root = Directory.CreateTempSubdirectory("nimbus-pg-versions-").FullName;
        try
        {
            foreach (var version in new[] { "9.6", "15", "16", "100-broken" })
            {
                var bin = Directory.CreateDirectory(Path.Combine(root, version, "bin")).FullName;
                File.WriteAllText(Path.Combine(bin, "initdb"), "");
                File.WriteAllText(Path.Combine(bin, "pg_ctl"), "");
            }

            Directory.CreateDirectory(Path.Combine(root, "17", "bin"));

            PostgresServer.FindBinDirectory(root, null).ShouldBe(Path.Combine(root, "16", "bin"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
