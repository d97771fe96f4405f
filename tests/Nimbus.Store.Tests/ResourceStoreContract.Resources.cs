using Nimbus.Contracts.Errors;
using Nimbus.Core.Resources;
using Shouldly;
using Xunit;

namespace Nimbus.Store.Tests;

public abstract partial class ResourceStoreContract
{
    [Fact]
    public async Task Create_stores_version_1_whatever_version_the_caller_sent()
    {
        var widget = NewWidget(tags: Tags(("env", "prod"))) with { Version = 42 };

        var created = await CreateAsync(widget);

        created.Version.ShouldBe(1);
        ShouldMatch(created, widget with { Version = 1 });
        ShouldMatch(await Store.GetAsync(widget.Id, Ct), widget with { Version = 1 });
    }

    [Fact]
    public async Task Get_by_name_finds_the_resource_only_within_its_account_and_kind()
    {
        var widget = NewWidget("blue");
        await CreateAsync(widget);

        ShouldMatch(await Store.GetByNameAsync(Account, Kind, "blue", Ct), widget with { Version = 1 });
        (await Store.GetByNameAsync(OtherAccount, Kind, "blue", Ct)).ShouldBeNull();
        (await Store.GetByNameAsync(Account, OtherKind, "blue", Ct)).ShouldBeNull();
        (await Store.GetByNameAsync(Account, Kind, "Blue", Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task Get_of_an_unknown_id_or_name_is_null()
    {
        (await Store.GetAsync("w-000000000000", Ct)).ShouldBeNull();
        (await Store.GetByNameAsync(Account, Kind, "nothing", Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task Create_with_a_taken_id_is_already_exists_and_writes_nothing()
    {
        var widget = NewWidget("first");
        await CreateAsync(widget);

        var error = await ShouldFailWithAsync(() => CreateAsync(widget with { Name = "second" }), ErrorCodes.AlreadyExists, 409);

        error.Message.ShouldContain(widget.Id);
        (await Store.GetByNameAsync(Account, Kind, "second", Ct)).ShouldBeNull();
        (await AllChangesAsync()).Count.ShouldBe(1);
    }

    [Fact]
    public async Task Create_with_a_name_taken_in_the_same_account_and_kind_is_already_exists()
    {
        await CreateAsync(NewWidget("blue"));
        var twin = NewWidget("blue");

        var error = await ShouldFailWithAsync(() => CreateAsync(twin), ErrorCodes.AlreadyExists, 409);

        error.Message.ShouldContain("'blue'");
        (await Store.GetAsync(twin.Id, Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task The_same_name_may_be_used_in_another_account_or_kind()
    {
        await CreateAsync(NewWidget("blue"));

        await CreateAsync(NewWidget("blue", account: OtherAccount));
        await CreateAsync(NewWidget("blue", kind: OtherKind));

        (await Store.GetByNameAsync(OtherAccount, Kind, "blue", Ct)).ShouldNotBeNull();
        (await Store.GetByNameAsync(Account, OtherKind, "blue", Ct)).ShouldNotBeNull();
    }

    [Fact]
    public async Task Update_bumps_the_version_and_replaces_name_tags_spec_and_deletion_request()
    {
        var widget = await CreateAsync(NewWidget("blue", tags: Tags(("env", "dev"), ("team", "a"))));
        var status = new ResourceStatus { Phase = ResourcePhases.Ready, ObservedVersion = 1 };
        await Store.WriteAsync((w, ct) => w.UpdateStatusAsync(widget.Id, 1, status, ct), Ct);
        var later = T0.AddHours(1);
        var change = widget with
        {
            Name = "green",
            Tags = Tags(("env", "prod")),
            Spec = Json("""{"size":5,"colour":"green"}"""),
            DeletionRequestedAt = later,
            UpdatedAt = later,

            // Not the update's to change: status, region, creation time.
            Status = new ResourceStatus { Phase = ResourcePhases.Failed },
            Region = "elsewhere-9",
            CreatedAt = later,
        };

        var updated = await UpdateAsync(change);

        var expected = widget with
        {
            Name = "green",
            Tags = Tags(("env", "prod")),
            Spec = change.Spec,
            DeletionRequestedAt = later,
            UpdatedAt = later,
            Status = status,
            Version = 2,
        };
        ShouldMatch(updated, expected);
        ShouldMatch(await Store.GetAsync(widget.Id, Ct), expected);
        (await Store.GetByNameAsync(Account, Kind, "blue", Ct)).ShouldBeNull();
        ShouldMatch(await Store.GetByNameAsync(Account, Kind, "green", Ct), expected);
    }

    [Fact]
    public async Task Update_with_a_stale_version_is_a_conflict()
    {
        var widget = await CreateAsync(NewWidget("blue"));
        await UpdateAsync(widget with { Spec = Json("""{"size":4}""") });

        var error = await ShouldFailWithAsync(
            () => UpdateAsync(widget with { Spec = Json("""{"size":9}""") }), ErrorCodes.VersionConflict, 409);

        error.Message.ShouldContain("version 2, not 1");
        var stored = await Store.GetAsync(widget.Id, Ct);
        stored!.Version.ShouldBe(2);
        stored.Spec.GetRawText().ShouldBe("""{"size":4}""");
    }

    [Fact]
    public async Task Update_of_a_missing_resource_is_not_found()
    {
        await ShouldFailWithAsync(() => UpdateAsync(NewWidget() with { Version = 1 }), ErrorCodes.NotFound, 404);
    }

    [Fact]
    public async Task Update_to_a_name_taken_in_the_same_account_and_kind_is_already_exists()
    {
        await CreateAsync(NewWidget("blue"));
        var green = await CreateAsync(NewWidget("green"));

        await ShouldFailWithAsync(() => UpdateAsync(green with { Name = "blue" }), ErrorCodes.AlreadyExists, 409);

        (await Store.GetAsync(green.Id, Ct))!.Name.ShouldBe("green");
    }

    [Fact]
    public async Task Status_update_keeps_the_version_and_everything_but_the_status()
    {
        var widget = await CreateAsync(NewWidget("blue", tags: Tags(("env", "dev"))));
        var status = new ResourceStatus
        {
            Phase = ResourcePhases.Running,
            Message = "started",
            ObservedVersion = 1,
            Conditions = [new Condition("Ready", "True", "Started", "container is up", T0.AddMinutes(1))],
            Details = Json("""{"address":"10.0.0.7"}"""),
        };

        var stored = await Store.WriteAsync((w, ct) => w.UpdateStatusAsync(widget.Id, 1, status, ct), Ct);

        ShouldMatch(stored, widget with { Status = status });
        ShouldMatch(await Store.GetAsync(widget.Id, Ct), widget with { Status = status });
    }

    [Fact]
    public async Task Status_update_with_a_stale_version_is_a_conflict()
    {
        var widget = await CreateAsync(NewWidget());
        await UpdateAsync(widget with { Name = "renamed" });
        var status = new ResourceStatus { Phase = ResourcePhases.Ready, ObservedVersion = 1 };

        await ShouldFailWithAsync(
            () => Store.WriteAsync((w, ct) => w.UpdateStatusAsync(widget.Id, 1, status, ct), Ct), ErrorCodes.VersionConflict, 409);
        await ShouldFailWithAsync(
            () => Store.WriteAsync((w, ct) => w.UpdateStatusAsync("w-000000000000", 1, status, ct), Ct), ErrorCodes.NotFound, 404);

        (await Store.GetAsync(widget.Id, Ct))!.Status.Phase.ShouldBe(ResourcePhases.Pending);
    }

    [Fact]
    public async Task Delete_removes_the_resource_and_frees_its_name()
    {
        var widget = await CreateAsync(NewWidget("blue", tags: Tags(("env", "dev"))));

        await Store.WriteAsync(async (w, ct) => { await w.DeleteAsync(widget.Id, null, ct); return 0; }, Ct);

        (await Store.GetAsync(widget.Id, Ct)).ShouldBeNull();
        (await Store.GetByNameAsync(Account, Kind, "blue", Ct)).ShouldBeNull();
        await CreateAsync(NewWidget("blue", tags: Tags(("env", "dev"))));
    }

    [Fact]
    public async Task Delete_with_a_stale_version_is_a_conflict_and_keeps_the_resource()
    {
        var widget = await CreateAsync(NewWidget());
        await UpdateAsync(widget with { Name = "renamed" });

        await ShouldFailWithAsync(
            () => Store.WriteAsync(async (w, ct) => { await w.DeleteAsync(widget.Id, 1, ct); return 0; }, Ct), ErrorCodes.VersionConflict, 409);

        (await Store.GetAsync(widget.Id, Ct)).ShouldNotBeNull();
        await Store.WriteAsync(async (w, ct) => { await w.DeleteAsync(widget.Id, 2, ct); return 0; }, Ct);
        (await Store.GetAsync(widget.Id, Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task Delete_of_a_missing_resource_is_not_found()
    {
        await ShouldFailWithAsync(
            () => Store.WriteAsync(async (w, ct) => { await w.DeleteAsync("w-000000000000", null, ct); return 0; }, Ct), ErrorCodes.NotFound, 404);
        await ShouldFailWithAsync(
            () => Store.WriteAsync(async (w, ct) => { await w.DeleteAsync("w-000000000000", 3, ct); return 0; }, Ct), ErrorCodes.NotFound, 404);
    }

    [Fact]
    public async Task A_unit_of_work_reads_its_own_writes()
    {
        var widget = NewWidget("blue");

        var (byId, byName, afterUpdate) = await Store.WriteAsync(async (w, ct) =>
        {
            var created = await w.CreateAsync(widget, ct);
            var byId = await w.GetAsync(widget.Id, ct);
            var byName = await w.GetByNameAsync(Account, Kind, "blue", ct);
            await w.UpdateAsync(created with { Name = "green" }, ct);
            return (byId, byName, await w.GetAsync(widget.Id, ct));
        }, Ct);

        byId!.Version.ShouldBe(1);
        byName!.Id.ShouldBe(widget.Id);
        afterUpdate!.Name.ShouldBe("green");
        afterUpdate.Version.ShouldBe(2);
    }
}
