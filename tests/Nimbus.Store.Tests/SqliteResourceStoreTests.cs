using Microsoft.Data.Sqlite;
using Nimbus.Core.Store;
using Nimbus.Store.Sqlite;
using Shouldly;
using Xunit;

namespace Nimbus.Store.Tests;

/// <summary>The store contract on SQLite, each test with its own data directory.</summary>
public sealed class SqliteResourceStoreTests : ResourceStoreContract
{
    private readonly TempDirectory _directory = new();

    private string DatabasePath => Path.Combine(_directory.Path, "data", "nimbus.db");

    protected override IResourceStore CreateStore() =>
        new SqliteResourceStore(new SqliteStoreOptions { Path = DatabasePath, TimeProvider = Clock });

    protected override Task RemoveStorageAsync()
    {
        _directory.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_database_file_is_in_WAL_mode()
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";

        ((string?)await command.ExecuteScalarAsync()).ShouldBe("wal");
    }

    [Fact]
    public async Task A_unit_cancelled_while_queued_is_skipped()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = Store.WriteAsync(async (w, ct) => { entered.SetResult(); await release.Task; return 0; }, Ct);
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        using var cancel = new CancellationTokenSource();
        var ran = false;
        var widget = NewWidget();
        var queued = Store.WriteAsync((w, ct) => { ran = true; return w.CreateAsync(widget, ct); }, cancel.Token);

        await cancel.CancelAsync();
        release.SetResult();
        await holding;

        await Should.ThrowAsync<OperationCanceledException>(queued);
        ran.ShouldBeFalse();
        (await Store.GetAsync(widget.Id, Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task Writing_before_initialize_is_refused()
    {
        await using var store = new SqliteResourceStore(new SqliteStoreOptions { Path = Path.Combine(_directory.Path, "other.db") });

        await Should.ThrowAsync<InvalidOperationException>(() => store.WriteAsync((w, ct) => w.CreateAsync(NewWidget(), ct), Ct));
    }

    [Fact]
    public async Task Writes_queued_before_dispose_still_commit()
    {
        var widgets = Enumerable.Range(0, 50).Select(_ => NewWidget()).ToArray();
        var writes = widgets.Select(CreateAsync).ToArray();

        await ReopenAsync();

        await Task.WhenAll(writes);
        foreach (var widget in widgets)
        {
            (await Store.GetAsync(widget.Id, Ct)).ShouldNotBeNull();
        }
    }
}
