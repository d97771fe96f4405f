using Nimbus.Core.Resources;
using Nimbus.Core.Store;
using Shouldly;
using Xunit;

namespace Nimbus.Store.Tests;

public abstract partial class ResourceStoreContract
{
    [Fact]
    public async Task Every_write_appends_exactly_one_change_event()
    {
        (await Store.GetLatestSequenceAsync(Ct)).ShouldBe(0);
        var widget = await CreateAsync(NewWidget());
        var later = T0.AddMinutes(5);
        await UpdateAsync(widget with { Name = "renamed", UpdatedAt = later });
        await Store.WriteAsync((w, ct) => w.UpdateStatusAsync(widget.Id, 2, new ResourceStatus { Phase = ResourcePhases.Ready }, ct), Ct);
        await Store.WriteAsync(async (w, ct) => { await w.DeleteAsync(widget.Id, 2, ct); return 0; }, Ct);

        var changes = await AllChangesAsync();

        changes.Select(c => (c.ResourceId, c.Kind, c.Account, c.Type, c.Version, c.At)).ShouldBe(
        [
            (widget.Id, Kind, Account, ChangeType.Created, 1L, T0),
            (widget.Id, Kind, Account, ChangeType.Updated, 2L, later),
            (widget.Id, Kind, Account, ChangeType.StatusUpdated, 2L, Clock.Now),
            (widget.Id, Kind, Account, ChangeType.Deleted, 2L, Clock.Now),
        ]);
        changes.Select(c => c.Sequence).ShouldBeInOrder(SortDirection.Ascending);
        changes.Select(c => c.Sequence).Distinct().Count().ShouldBe(4);
        (await Store.GetLatestSequenceAsync(Ct)).ShouldBe(changes[^1].Sequence);
    }

    [Fact]
    public async Task Reading_changes_continues_after_a_sequence_and_honours_the_limit()
    {
        for (var i = 0; i < 5; i++)
        {
            await CreateAsync(NewWidget());
        }

        var all = await AllChangesAsync();

        var first = await Store.ReadChangesAsync(0, 2, Ct);
        var rest = await Store.ReadChangesAsync(first[^1].Sequence, 100, Ct);

        first.Count.ShouldBe(2);
        first.Concat(rest).ShouldBe(all);
        (await Store.ReadChangesAsync(all[^1].Sequence, 100, Ct)).ShouldBeEmpty();
        (await Store.ReadChangesAsync(0, 0, Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Change_feed_is_complete_and_strictly_increasing_under_32_concurrent_writers()
    {
        const int writers = 32;
        const int perWriter = 15;
        var wake = new SemaphoreSlim(0);
        Store.Committed += () => wake.Release();
        var writing = true;

        // A follower that reads as the writes commit: with sequences assigned out of commit order
        // it would step past a sequence that commits later and never see it.
        var follower = Task.Run(async () =>
        {
            var seen = new List<ChangeEvent>();
            var after = 0L;
            while (true)
            {
                var stillWriting = Volatile.Read(ref writing);
                var batch = await Store.ReadChangesAsync(after, 1000, Ct);
                foreach (var change in batch)
                {
                    change.Sequence.ShouldBeGreaterThan(after);
                    after = change.Sequence;
                    seen.Add(change);
                }

                if (batch.Count == 0)
                {
                    if (!stillWriting)
                    {
                        return seen;
                    }

                    await wake.WaitAsync();
                }
            }
        });

        var ids = await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
        {
            var mine = new List<string>();
            for (var i = 0; i < perWriter; i++)
            {
                var created = await CreateAsync(NewWidget());
                await UpdateAsync(created with { Spec = Json("""{"size":4}""") });
                mine.Add(created.Id);
            }

            return mine;
        }))).WaitAsync(TimeSpan.FromSeconds(60));
        Volatile.Write(ref writing, false);
        wake.Release();
        var followed = await follower.WaitAsync(TimeSpan.FromSeconds(30));

        var all = await AllChangesAsync();
        all.Count.ShouldBe(writers * perWriter * 2);
        followed.ShouldBe(all);
        all.Select(c => c.ResourceId).Distinct().Order().ShouldBe(ids.SelectMany(x => x).Order());
        foreach (var perResource in all.GroupBy(c => c.ResourceId))
        {
            perResource.Select(c => (c.Type, c.Version)).ShouldBe([(ChangeType.Created, 1L), (ChangeType.Updated, 2L)]);
        }
    }

    [Fact]
    public async Task Committed_is_raised_after_a_write_commits()
    {
        var widget = NewWidget();
        var raised = new TaskCompletionSource<Resource?>(TaskCreationOptions.RunContinuationsAsynchronously);
        Store.Committed += () => _ = Task.Run(async () => raised.TrySetResult(await Store.GetAsync(widget.Id, Ct)));

        await CreateAsync(widget);

        // The handler reads through a separate connection: the write is visible by then.
        (await raised.Task.WaitAsync(TimeSpan.FromSeconds(10))).ShouldNotBeNull();
    }
}
