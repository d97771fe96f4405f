using Nimbus.Core.Resources;
using Shouldly;
using Xunit;

namespace Nimbus.Store.Tests;

public abstract partial class ResourceStoreContract
{
    [Fact]
    public async Task Reads_racing_updates_never_go_back_and_every_writer_reads_its_own_write()
    {
        var widget = await CreateAsync(NewWidget());
        using var done = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            long highest = 0;
            while (!done.IsCancellationRequested)
            {
                var read = await Store.GetAsync(widget.Id, Ct);
                read.ShouldNotBeNull();
                read.Version.ShouldBeGreaterThanOrEqualTo(highest, "a read went back to an older version");
                highest = read.Version;
                await Task.Yield();
            }
        })).ToList();

        var current = widget;
        for (var i = 0; i < 50; i++)
        {
            current = await UpdateAsync(current with { Spec = Json($$"""{"size":{{i}}}"""), UpdatedAt = T0.AddSeconds(i) });
            var read = await Store.GetAsync(widget.Id, Ct);
            read!.Version.ShouldBe(current.Version, "the writer did not read its own write");
            read.Spec.GetProperty("size").GetInt32().ShouldBe(i);
        }

        await done.CancelAsync();
        await Task.WhenAll(readers);
        await Store.WriteAsync((w, ct) => w.DeleteAsync(widget.Id, null, ct).ContinueWith(_ => true, ct), Ct);
        (await Store.GetAsync(widget.Id, Ct)).ShouldBeNull();
    }
}
