using Nimbus.Core.Resources;
using Nimbus.Core.Store;
using Shouldly;
using Xunit;

namespace Nimbus.Store.Tests;

public abstract partial class ResourceStoreContract
{
    [Fact]
    public async Task Data_survives_dispose_and_reopen()
    {
        var kept = await CreateAsync(NewWidget("kept", tags: Tags(("env", "prod"))));
        var gone = await CreateAsync(NewWidget("gone"));
        await Store.WriteAsync(async (w, ct) =>
        {
            await w.DeleteAsync(gone.Id, null, ct);
            await w.PutValueAsync("ns", "k", [42], ct);
            return 0;
        }, Ct);
        var changes = await AllChangesAsync();

        await ReopenAsync();

        ShouldMatch(await Store.GetAsync(kept.Id, Ct), kept);
        (await Store.GetAsync(gone.Id, Ct)).ShouldBeNull();
        (await Store.GetValueAsync("ns", "k", Ct)).ShouldBe([42]);
        (await AllChangesAsync()).ShouldBe(changes);
        var page = await Store.ListAsync(new ResourceQuery { Kind = Kind, Tags = new Dictionary<string, string> { ["env"] = "prod" } }, Ct);
        page.Items.Select(r => r.Id).ShouldBe([kept.Id]);

        await UpdateAsync(kept with { Name = "still-kept" });
        var next = (await AllChangesAsync())[^1];
        next.Sequence.ShouldBeGreaterThan(changes[^1].Sequence);
        (next.Type, next.Version).ShouldBe((ChangeType.Updated, 2L));
    }

    [Fact]
    public async Task Initialize_is_idempotent()
    {
        var widget = await CreateAsync(NewWidget());

        await Store.InitializeAsync(Ct);
        await using (var second = await OpenAsync())
        {
            (await second.GetAsync(widget.Id, Ct)).ShouldNotBeNull();
        }

        (await Store.PingAsync(Ct)).ShouldBeTrue();
        ShouldMatch(await Store.GetAsync(widget.Id, Ct), widget);
    }

    [Fact]
    public async Task Timestamps_round_trip_exactly()
    {
        var created = new DateTimeOffset(2027, 2, 28, 23, 59, 59, TimeSpan.FromHours(2)).AddTicks(9_999_999);
        var updated = new DateTimeOffset(1999, 12, 31, 0, 0, 0, TimeSpan.FromHours(-7)).AddTicks(1);
        var deletion = DateTimeOffset.MaxValue.AddTicks(-1);
        var widget = NewWidget() with { CreatedAt = created, UpdatedAt = updated, DeletionRequestedAt = deletion };
        var transition = new DateTimeOffset(2026, 6, 1, 8, 30, 15, TimeSpan.FromMinutes(330)).AddTicks(4321);
        var status = new ResourceStatus { Conditions = [new Condition("Ready", "False", null, null, transition)] };

        await CreateAsync(widget);
        await Store.WriteAsync((w, ct) => w.UpdateStatusAsync(widget.Id, 1, status, ct), Ct);

        foreach (var stored in new[]
        {
            await Store.GetAsync(widget.Id, Ct),
            (await Store.ListAsync(new ResourceQuery { Kind = Kind }, Ct)).Items.Single(),
        })
        {
            stored!.CreatedAt.ShouldBe(created);
            stored.CreatedAt.UtcTicks.ShouldBe(created.UtcTicks);
            stored.UpdatedAt.ShouldBe(updated);
            stored.DeletionRequestedAt.ShouldBe(deletion);
            stored.Status.Conditions.Single().LastTransitionTime.ShouldBe(transition);
        }

        (await AllChangesAsync())[0].At.ShouldBe(updated);
    }

    [Fact]
    public async Task Spec_status_and_tags_round_trip_exactly()
    {
        const string spec = """{"b":1,"a":[1.50,2e3,-0,null,true],"nested":{"ünï":"çødé \"quoted\" \\ /","empty":{}},"b":2}""";
        var tags = Tags(("env", "prod"), ("Ünicode key", "värde"), ("empty", ""), ("a:b/c", "x=y"));
        var status = new ResourceStatus
        {
            Phase = ResourcePhases.Failed,
            Message = "disk \"full\" — 100%",
            ObservedVersion = 7,
            Conditions =
            [
                new Condition("Ready", "False", "DiskFull", "no space left", T0),
                new Condition("Scheduled", "True", null, null, T0.AddSeconds(-3)),
            ],
            Details = Json("""{"path":"/var/lib/x","sizes":[1,2,3],"ok":false,"note":"grüße"}"""),
        };
        var widget = NewWidget(tags: tags, spec: spec);

        await CreateAsync(widget);
        await Store.WriteAsync((w, ct) => w.UpdateStatusAsync(widget.Id, 1, status, ct), Ct);
        var stored = await Store.GetAsync(widget.Id, Ct);

        stored!.Spec.GetRawText().ShouldBe(spec);
        stored.Tags.ToArray().ShouldBe(tags.ToArray());
        ShouldMatch(stored.Status, status);
        stored.Status.Details!.Value.GetRawText().ShouldBe(status.Details!.Value.GetRawText());
    }

    [Fact]
    public async Task A_status_without_details_or_conditions_reads_back_empty()
    {
        var widget = await CreateAsync(NewWidget());

        var stored = await Store.GetAsync(widget.Id, Ct);

        stored!.Status.Phase.ShouldBe(ResourcePhases.Pending);
        stored.Status.Conditions.IsDefault.ShouldBeFalse();
        stored.Status.Conditions.ShouldBeEmpty();
        stored.Status.Details.ShouldBeNull();
        stored.Tags.ShouldBeEmpty();
    }

    [Fact]
    public async Task Ping_answers_when_the_store_is_up()
    {
        (await Store.PingAsync(Ct)).ShouldBeTrue();
    }
}
