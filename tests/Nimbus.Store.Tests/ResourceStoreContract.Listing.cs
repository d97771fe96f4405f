using System.Buffers.Binary;
using System.Buffers.Text;
using Nimbus.Contracts.Errors;
using Nimbus.Core.Store;
using Shouldly;
using Xunit;

namespace Nimbus.Store.Tests;

public abstract partial class ResourceStoreContract
{
    [Fact]
    public async Task List_filters_by_kind_account_name_and_every_tag()
    {
        var a = await CreateAsync(NewWidget("a", tags: Tags(("env", "prod"), ("team", "red"))));
        var b = await CreateAsync(NewWidget("b", tags: Tags(("env", "prod"), ("team", "blue"))));
        var c = await CreateAsync(NewWidget("c", tags: Tags(("env", "dev"))));
        var d = await CreateAsync(NewWidget("a", account: OtherAccount, tags: Tags(("env", "prod"), ("team", "red"))));
        await CreateAsync(NewWidget("a", kind: OtherKind, tags: Tags(("env", "prod"))));

        async Task<string[]> Ids(ResourceQuery query) => (await Store.ListAsync(query, Ct)).Items.Select(r => r.Id).ToArray();

        (await Ids(new ResourceQuery { Kind = Kind })).ShouldBe([a.Id, b.Id, c.Id, d.Id]);
        (await Ids(new ResourceQuery { Kind = Kind, Account = Account })).ShouldBe([a.Id, b.Id, c.Id]);
        (await Ids(new ResourceQuery { Kind = Kind, Name = "a" })).ShouldBe([a.Id, d.Id]);
        (await Ids(new ResourceQuery { Kind = Kind, Account = Account, Name = "a" })).ShouldBe([a.Id]);
        (await Ids(new ResourceQuery { Kind = Kind, Tags = new Dictionary<string, string> { ["env"] = "prod" } })).ShouldBe([a.Id, b.Id, d.Id]);
        (await Ids(new ResourceQuery { Kind = Kind, Tags = new Dictionary<string, string> { ["env"] = "prod", ["team"] = "red" } })).ShouldBe([a.Id, d.Id]);
        (await Ids(new ResourceQuery { Kind = Kind, Tags = new Dictionary<string, string> { ["env"] = "prod", ["team"] = "green" } })).ShouldBeEmpty();
        (await Ids(new ResourceQuery { Kind = Kind, Tags = new Dictionary<string, string> { ["env"] = "Prod" } })).ShouldBeEmpty();
        (await Ids(new ResourceQuery { Kind = "demo/none" })).ShouldBeEmpty();
    }

    [Fact]
    public async Task List_by_tag_follows_updates_and_deletes()
    {
        var a = await CreateAsync(NewWidget("a", tags: Tags(("env", "dev"))));
        var b = await CreateAsync(NewWidget("b", tags: Tags(("env", "dev"))));
        var prod = new ResourceQuery { Kind = Kind, Tags = new Dictionary<string, string> { ["env"] = "prod" } };
        var dev = prod with { Tags = new Dictionary<string, string> { ["env"] = "dev" } };

        await UpdateAsync(a with { Tags = Tags(("env", "prod")) });
        await Store.WriteAsync(async (w, ct) => { await w.DeleteAsync(b.Id, null, ct); return 0; }, Ct);

        (await Store.ListAsync(prod, Ct)).Items.Select(r => r.Id).ShouldBe([a.Id]);
        (await Store.ListAsync(dev, Ct)).Items.ShouldBeEmpty();
    }

    [Fact]
    public async Task List_pages_stay_stable_across_inserts_and_deletes()
    {
        var w = new List<string>();
        foreach (var name in new[] { "a", "b", "c", "d", "e" })
        {
            w.Add((await CreateAsync(NewWidget(name))).Id);
        }

        var query = new ResourceQuery { Kind = Kind, Account = Account, PageSize = 2 };
        var seen = new List<string>();

        var page = await Store.ListAsync(query, Ct);
        seen.AddRange(page.Items.Select(r => r.Name));
        page.NextPageToken.ShouldNotBeNull();

        // Meanwhile: one already seen and one not yet seen go away, one new arrives.
        await Store.WriteAsync(async (writer, ct) => { await writer.DeleteAsync(w[1], null, ct); await writer.DeleteAsync(w[2], null, ct); return 0; }, Ct);
        await CreateAsync(NewWidget("f"));

        while (page.NextPageToken is not null)
        {
            page = await Store.ListAsync(query with { PageToken = page.NextPageToken }, Ct);
            page.Items.Count.ShouldBeInRange(1, 2);
            seen.AddRange(page.Items.Select(r => r.Name));
        }

        seen.ShouldBe(["a", "b", "d", "e", "f"]);
    }

    [Fact]
    public async Task The_last_page_has_no_token()
    {
        await CreateAsync(NewWidget("a"));
        await CreateAsync(NewWidget("b"));

        var page = await Store.ListAsync(new ResourceQuery { Kind = Kind, PageSize = 2 }, Ct);

        page.Items.Count.ShouldBe(2);
        page.NextPageToken.ShouldBeNull();
        (await Store.ListAsync(new ResourceQuery { Kind = "demo/none" }, Ct)).NextPageToken.ShouldBeNull();
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("!!!!")]
    [InlineData("AAAAAAAAAAAA")]
    [InlineData("eyJwayI6MX0")]
    [InlineData("AQAAAAAAAAAAAQ==")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task List_with_a_page_token_it_did_not_issue_is_invalid(string token)
    {
        var error = await ShouldFailWithAsync(
            () => Store.ListAsync(new ResourceQuery { Kind = Kind, PageToken = token }, Ct), ErrorCodes.InvalidParameter, 400);

        error.FieldErrors.Select(f => f.Field).ShouldBe(["pageToken"]);
    }

    [Fact]
    public async Task List_with_a_token_for_a_negative_key_is_invalid()
    {
        var bytes = new byte[9];
        bytes[0] = 1;
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(1), -5);

        await ShouldFailWithAsync(
            () => Store.ListAsync(new ResourceQuery { Kind = Kind, PageToken = Base64Url.EncodeToString(bytes) }, Ct), ErrorCodes.InvalidParameter, 400);
    }

    [Fact]
    public async Task List_without_a_kind_is_invalid()
    {
        await ShouldFailWithAsync(() => Store.ListAsync(new ResourceQuery { Kind = "" }, Ct), ErrorCodes.InvalidParameter, 400);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(-3, 1)]
    [InlineData(1, 1)]
    [InlineData(1000, 3)]
    [InlineData(int.MaxValue, 3)]
    public async Task List_page_size_is_clamped_to_1_through_1000(int pageSize, int expectedItems)
    {
        for (var i = 0; i < 3; i++)
        {
            await CreateAsync(NewWidget());
        }

        var page = await Store.ListAsync(new ResourceQuery { Kind = Kind, PageSize = pageSize }, Ct);

        page.Items.Count.ShouldBe(expectedItems);
    }
}
