using Microsoft.Data.Sqlite;
using Nimbus.Core.Store;
using Nimbus.Store.Sqlite;
using Shouldly;
using Xunit;
using Xunit.Abstractions;

namespace Nimbus.Store.Tests;

/// <summary>The store contract on SQLite, each test with its own data directory.</summary>
public sealed class SqliteResourceStoreTests(ITestOutputHelper output) : ResourceStoreContract
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

    [Fact]
    public async Task Concurrent_creates_share_commits_and_each_fsync()
    {
        const int callers = 32;
        const int perCaller = 125;
        var commits = 0;
        await RunCallersAsync(callers, 10); // warm up: JIT, first pages of the file
        Store.Committed += () => Interlocked.Increment(ref commits);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await RunCallersAsync(callers, perCaller);
        clock.Stop();

        // Committed fires once per committed group; it may lag the last write a little.
        var writes = callers * perCaller;
        var perSecond = writes / clock.Elapsed.TotalSeconds;
        output.WriteLine($"{writes} creates from {callers} callers in {clock.ElapsedMilliseconds} ms: {perSecond:F0}/s, {Volatile.Read(ref commits)} commits");
        (await Store.GetLatestSequenceAsync(Ct)).ShouldBe(callers * (perCaller + 10));
        Volatile.Read(ref commits).ShouldBeLessThan(writes / 4);

        // The target is 2,000/s. This 2-core machine gave 1,200-8,000/s depending on the load of
        // the other builds sharing it, so the floor only catches a lost group commit (one fsync
        // per create); the commit count above is the real check.
        perSecond.ShouldBeGreaterThan(500);
    }

    private Task RunCallersAsync(int callers, int createsEach) =>
        Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < createsEach; i++)
            {
                await CreateAsync(NewWidget(tags: Tags(("env", "bench"))));
            }
        }))).WaitAsync(TimeSpan.FromSeconds(60));
}
