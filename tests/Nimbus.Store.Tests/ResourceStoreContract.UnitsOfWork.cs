using System.Text;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;
using Shouldly;
using Xunit;

namespace Nimbus.Store.Tests;

public abstract partial class ResourceStoreContract
{
    [Fact]
    public async Task A_throwing_unit_leaves_nothing_behind_while_units_committed_with_it_succeed()
    {
        // A first unit holds the writer until the others are queued, so that on SQLite they all
        // share the next group commit.
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holder = NewWidget("holder");
        var holding = Store.WriteAsync(async (w, ct) =>
        {
            entered.SetResult();
            await release.Task;
            return await w.CreateAsync(holder, ct);
        }, Ct);
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var widgets = Enumerable.Range(0, 20).Select(i => NewWidget($"w{i}")).ToArray();
        var units = widgets.Select((widget, i) => Store.WriteAsync(async (w, ct) =>
        {
            var created = await w.CreateAsync(widget, ct);
            await w.PutValueAsync("test", widget.Name, [1, 2, 3], ct);
            if (i % 2 == 1)
            {
                throw new InvalidOperationException($"unit {i} failed");
            }

            return created;
        }, Ct)).ToArray();
        release.SetResult();
        await holding.WaitAsync(TimeSpan.FromSeconds(30));

        for (var i = 0; i < units.Length; i++)
        {
            if (i % 2 == 1)
            {
                (await Should.ThrowAsync<InvalidOperationException>(units[i])).Message.ShouldBe($"unit {i} failed");
                (await Store.GetAsync(widgets[i].Id, Ct)).ShouldBeNull();
                (await Store.GetValueAsync("test", widgets[i].Name, Ct)).ShouldBeNull();
            }
            else
            {
                (await units[i]).Version.ShouldBe(1);
                (await Store.GetAsync(widgets[i].Id, Ct)).ShouldNotBeNull();
                (await Store.GetValueAsync("test", widgets[i].Name, Ct)).ShouldBe([1, 2, 3]);
            }
        }

        var created = (await AllChangesAsync()).Select(c => c.ResourceId).Order().ToArray();
        created.ShouldBe(widgets.Where((_, i) => i % 2 == 0).Select(w => w.Id).Append(holder.Id).Order().ToArray());
    }

    [Fact]
    public async Task A_unit_whose_token_is_already_cancelled_does_not_run()
    {
        var ran = false;
        var widget = NewWidget();

        await Should.ThrowAsync<OperationCanceledException>(() => Store.WriteAsync(
            (w, ct) => { ran = true; return w.CreateAsync(widget, ct); }, new CancellationToken(canceled: true)));

        ran.ShouldBeFalse();
        (await Store.GetAsync(widget.Id, Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task A_unit_cancelled_while_it_runs_keeps_nothing()
    {
        using var cancel = new CancellationTokenSource();
        var widget = NewWidget();

        await Should.ThrowAsync<OperationCanceledException>(() => Store.WriteAsync(async (w, ct) =>
        {
            await w.CreateAsync(widget, ct);
            await cancel.CancelAsync();
            ct.ThrowIfCancellationRequested();
            return 0;
        }, cancel.Token));

        (await Store.GetAsync(widget.Id, Ct)).ShouldBeNull();
        (await AllChangesAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task Writing_from_inside_a_unit_of_work_is_refused()
    {
        var error = await Should.ThrowAsync<InvalidOperationException>(() => Store.WriteAsync(
            (w, ct) => Store.WriteAsync((inner, innerCt) => inner.CreateAsync(NewWidget(), innerCt), ct), Ct));

        error.Message.ShouldContain("IStoreWriter");
        (await AllChangesAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_writer_kept_after_its_unit_ended_is_refused()
    {
        var kept = await Store.WriteAsync((w, ct) => Task.FromResult(w), Ct);

        await Should.ThrowAsync<InvalidOperationException>(() => kept.CreateAsync(NewWidget(), Ct));
    }

    [Fact]
    public async Task Values_can_be_put_read_added_once_and_deleted()
    {
        var first = Encoding.UTF8.GetBytes("first");
        var second = Encoding.UTF8.GetBytes("second");

        (await Store.GetValueAsync("ns", "k", Ct)).ShouldBeNull();
        (await Store.WriteAsync((w, ct) => w.TryAddValueAsync("ns", "k", first, ct), Ct)).ShouldBeTrue();
        (await Store.WriteAsync((w, ct) => w.TryAddValueAsync("ns", "k", second, ct), Ct)).ShouldBeFalse();
        (await Store.GetValueAsync("ns", "k", Ct)).ShouldBe(first);

        await Store.WriteAsync(async (w, ct) => { await w.PutValueAsync("ns", "k", second, ct); return 0; }, Ct);
        await Store.WriteAsync(async (w, ct) => { await w.PutValueAsync("other", "k", first, ct); return 0; }, Ct);
        (await Store.GetValueAsync("ns", "k", Ct)).ShouldBe(second);
        (await Store.WriteAsync((w, ct) => w.GetValueAsync("other", "k", ct), Ct)).ShouldBe(first);

        (await Store.WriteAsync((w, ct) => w.DeleteValueAsync("ns", "k", ct), Ct)).ShouldBeTrue();
        (await Store.WriteAsync((w, ct) => w.DeleteValueAsync("ns", "k", ct), Ct)).ShouldBeFalse();
        (await Store.GetValueAsync("ns", "k", Ct)).ShouldBeNull();
        (await Store.GetValueAsync("other", "k", Ct)).ShouldBe(first);
        (await AllChangesAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task Binary_values_round_trip_byte_for_byte()
    {
        var value = Enumerable.Range(0, 70_000).Select(i => (byte)(i * 7)).ToArray();

        await Store.WriteAsync(async (w, ct) => { await w.PutValueAsync("blobs", "big", value, ct); await w.PutValueAsync("blobs", "empty", [], ct); return 0; }, Ct);

        (await Store.GetValueAsync("blobs", "big", Ct)).ShouldBe(value);
        (await Store.GetValueAsync("blobs", "empty", Ct)).ShouldBe([]);
    }
}
