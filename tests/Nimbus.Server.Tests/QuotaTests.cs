using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Nimbus.Contracts.Demo;
using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Iam;
using Nimbus.Contracts.Quotas;
using Nimbus.Contracts.Resources;
using Nimbus.Core.Api;
using Nimbus.Core.Controllers;
using Nimbus.Core.Errors;
using Nimbus.Core.Quotas;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Server.Tests;

/// <summary>Quotas are checked in the create's own transaction: exact at the boundary, under concurrency and across restarts.</summary>
public sealed class QuotaTests : AdminServerTest
{
    private static Task<HttpResponseMessage> CreateWidgetAsync(HttpClient client, string name) =>
        client.PostJsonAsync("/v1/demo/widgets", new CreateWidgetRequest { Name = name, Spec = new WidgetSpec { Message = "hi" } });

    private static async Task<QuotaDto> SetLimitAsync(HttpClient client, string code, long limit, string? account = null)
    {
        var response = await client.PutAsync($"/v1/quotas/{code}", System.Net.Http.Json.JsonContent.Create(new SetQuotaRequest { Account = account, Limit = limit }, options: NimbusJson.Options));
        return await response.ShouldBeOkAsync<QuotaDto>();
    }

    private static async Task<QuotaDto> QuotaAsync(HttpClient client, string code) =>
        (await (await client.GetAsync("/v1/quotas")).ShouldBeOkAsync<QuotaListDto>()).Items.Single(q => q.Code == code);

    private static async Task ShouldBeQuotaExceededAsync(HttpResponseMessage response, string code, long limit, long usage)
    {
        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.Conflict, ErrorCodes.QuotaExceeded);
        problem.Quota.ShouldBe(new QuotaProblemDto { Code = code, Limit = limit, Usage = usage, Requested = 1 });
        problem.Detail!.ShouldContain($"Quota {code} ");
        problem.Detail!.ShouldContain($"limit {limit}, usage {usage}, requested 1");
    }

    [Fact]
    public async Task Every_registered_quota_is_listed_with_its_default_and_usage()
    {
        var list = await (await Admin.GetAsync("/v1/quotas")).ShouldBeOkAsync<QuotaListDto>();

        list.Account.ShouldBe(Server.Admin.Account);
        list.Items.Select(q => q.Code).ShouldBe(["compute.images", "compute.instances", "compute.memoryMiB", "compute.vcpus", "demo.widgets", "iam.access-keys-per-user", "iam.users", "network.eips", "network.securityGroupRules", "network.vpcs", "storage.buckets", "storage.bytes"]);
        list.Items.Single(q => q.Code == "demo.widgets").ShouldBe(new QuotaDto
        {
            Code = "demo.widgets",
            Description = "Widgets per account, counted until a deleted widget is really gone",
            Unit = "widgets",
            Scope = "account",
            Account = Server.Admin.Account,
            Limit = 1000,
            DefaultLimit = 1000,
            IsOverridden = false,
            Usage = 0,
        });
        var keys = list.Items.Single(q => q.Code == "iam.access-keys-per-user");
        keys.Scope.ShouldBe("user");
        keys.Limit.ShouldBe(2);
        keys.Usage.ShouldBeNull();
        list.Items.Single(q => q.Code == "iam.users").Limit.ShouldBe(100);
    }

    [Fact]
    public async Task Widget_limit_is_enforced_exactly_at_the_boundary()
    {
        var set = await SetLimitAsync(Admin, "demo.widgets", 3);
        set.Limit.ShouldBe(3);
        set.IsOverridden.ShouldBeTrue();
        set.Usage.ShouldBe(0);

        for (var i = 0; i < 3; i++)
        {
            (await CreateWidgetAsync(Admin, $"w{i}")).StatusCode.ShouldBe(HttpStatusCode.Created);
        }

        await ShouldBeQuotaExceededAsync(await CreateWidgetAsync(Admin, "w3"), "demo.widgets", 3, 3);
        (await QuotaAsync(Admin, "demo.widgets")).Usage.ShouldBe(3);

        // A refused create writes nothing: no widget, no unit.
        (await (await Admin.GetAsync("/v1/demo/widgets?name=w3")).ShouldBeOkAsync<PageDto<ResourceDto>>()).Items.ShouldBeEmpty();
        (await QuotaAsync(Admin, "demo.widgets")).Usage.ShouldBe(3);
    }

    [Fact]
    public async Task Sixteen_concurrent_creates_with_three_units_left_let_exactly_three_through()
    {
        await SetLimitAsync(Admin, "demo.widgets", 5);
        (await CreateWidgetAsync(Admin, "a")).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await CreateWidgetAsync(Admin, "b")).StatusCode.ShouldBe(HttpStatusCode.Created);

        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => CreateWidgetAsync(Admin, $"c{i}")));

        responses.Count(r => r.StatusCode == HttpStatusCode.Created).ShouldBe(3);
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            await ShouldBeQuotaExceededAsync(refused, "demo.widgets", 5, 5);
        }

        (await QuotaAsync(Admin, "demo.widgets")).Usage.ShouldBe(5);
        var page = await (await Admin.GetAsync("/v1/demo/widgets")).ShouldBeOkAsync<PageDto<ResourceDto>>();
        page.Items.Count.ShouldBe(5);
    }

    [Fact]
    public async Task A_limit_below_usage_blocks_new_creates_and_keeps_existing_widgets()
    {
        for (var i = 0; i < 3; i++)
        {
            (await CreateWidgetAsync(Admin, $"keep{i}")).StatusCode.ShouldBe(HttpStatusCode.Created);
        }

        var set = await SetLimitAsync(Admin, "demo.widgets", 1, Server.Admin.Account);
        set.Limit.ShouldBe(1);
        set.Usage.ShouldBe(3);

        await ShouldBeQuotaExceededAsync(await CreateWidgetAsync(Admin, "more"), "demo.widgets", 1, 3);
        var page = await (await Admin.GetAsync("/v1/demo/widgets")).ShouldBeOkAsync<PageDto<ResourceDto>>();
        page.Items.Select(w => w.Name).ShouldBe(["keep0", "keep1", "keep2"]);
        page.Items.ShouldAllBe(w => w.Status.Phase != "deleting");
    }

    [Fact]
    public async Task Deleting_frees_a_unit_once_the_widget_is_gone_and_usage_survives_a_restart()
    {
        await SetLimitAsync(Admin, "demo.widgets", 1);
        var first = await (await CreateWidgetAsync(Admin, "first")).ShouldBeOkAsync<ResourceDto>(HttpStatusCode.Created);

        // With controllers stopped, a deletion is asked but never carried out: the widget still holds its unit.
        await Server.Host.Services.GetRequiredService<ControllerRuntime>().StopAsync();
        (await Admin.DeleteAsync($"/v1/demo/widgets/{first.Id}")).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        await ShouldBeQuotaExceededAsync(await CreateWidgetAsync(Admin, "second"), "demo.widgets", 1, 1);

        var dataDirectory = Server.DataDirectory;
        await Server.StopAsync();
        await using var restarted = await NimbusServer.StartAsync(dataDirectory: dataDirectory);
        using var client = restarted.SignedHttpClient();

        // The limit and the usage were kept; the restarted controller finishes the deletion and frees the unit.
        (await QuotaAsync(client, "demo.widgets")).Limit.ShouldBe(1);
        // The probe returns the widget's whole answer, so a timeout shows its status and the controller's last message.
        await Poll.UntilAsync(
            async () =>
            {
                using var response = await client.GetAsync($"/v1/demo/widgets/{first.Id}");
                return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
            },
            r => r.StatusCode == HttpStatusCode.NotFound,
            what: "widget gone");
        (await QuotaAsync(client, "demo.widgets")).Usage.ShouldBe(0);
        (await CreateWidgetAsync(client, "second")).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await QuotaAsync(client, "demo.widgets")).Usage.ShouldBe(1);
    }

    [Fact]
    public async Task Access_keys_count_against_a_per_user_quota_an_administrator_can_raise()
    {
        // The bootstrap key holds one of the admin user's two places.
        (await Admin.PostJsonAsync("/v1/iam/access-keys", new CreateAccessKeyRequest())).StatusCode.ShouldBe(HttpStatusCode.Created);
        await ShouldBeQuotaExceededAsync(await Admin.PostJsonAsync("/v1/iam/access-keys", new CreateAccessKeyRequest()), "iam.access-keys-per-user", 2, 2);

        await SetLimitAsync(Admin, "iam.access-keys-per-user", 3);
        (await Admin.PostJsonAsync("/v1/iam/access-keys", new CreateAccessKeyRequest())).StatusCode.ShouldBe(HttpStatusCode.Created);
        await ShouldBeQuotaExceededAsync(await Admin.PostJsonAsync("/v1/iam/access-keys", new CreateAccessKeyRequest()), "iam.access-keys-per-user", 3, 3);
    }

    [Fact]
    public async Task Setting_a_limit_validates_every_field_at_once()
    {
        var bad = await Admin.PutAsync("/v1/quotas/demo.widgets", System.Net.Http.Json.JsonContent.Create(new SetQuotaRequest { Account = "abc", Limit = -1 }, options: NimbusJson.Options));
        var problem = await bad.ShouldBeProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.InvalidParameter);
        problem.Errors.Select(e => e.Field).ShouldBe(["account", "limit"]);

        var missing = await Admin.PutAsync("/v1/quotas/demo.widgets", System.Net.Http.Json.JsonContent.Create(new SetQuotaRequest(), options: NimbusJson.Options));
        (await missing.ShouldBeProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.InvalidParameter)).Errors.ShouldBe([new FieldErrorDto { Field = "limit", Message = "is required" }]);

        var unknownCode = await Admin.PutAsync("/v1/quotas/demo.gadgets", System.Net.Http.Json.JsonContent.Create(new SetQuotaRequest { Limit = 1 }, options: NimbusJson.Options));
        (await unknownCode.ShouldBeProblemAsync(HttpStatusCode.NotFound, ErrorCodes.NotFound)).Detail.ShouldBe("Quota 'demo.gadgets' was not found.");

        var unknownAccount = await Admin.PutAsync("/v1/quotas/demo.widgets", System.Net.Http.Json.JsonContent.Create(new SetQuotaRequest { Account = "999999999999", Limit = 1 }, options: NimbusJson.Options));
        (await unknownAccount.ShouldBeProblemAsync(HttpStatusCode.NotFound, ErrorCodes.NotFound)).Detail.ShouldBe("Account '999999999999' was not found.");
        await (await Admin.GetAsync("/v1/quotas?account=999999999999")).ShouldBeProblemAsync(HttpStatusCode.NotFound, ErrorCodes.NotFound);
        await (await Admin.GetAsync("/v1/quotas?account=12")).ShouldBeProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.InvalidParameter);

        var own = await (await Admin.GetAsync($"/v1/quotas?account={Server.Admin.Account}")).ShouldBeOkAsync<QuotaListDto>();
        own.Items.Single(q => q.Code == "demo.widgets").IsOverridden.ShouldBeFalse();
    }

    // The service-level rule, independent of the request pipeline (PrincipalTests covers it over HTTP).
    [Fact]
    public async Task Only_platform_administrators_set_limits_or_read_other_accounts()
    {
        var quotas = Server.Host.Services.GetRequiredService<QuotaService>();
        var tenant = new CallerContext { Account = "123456789012", Principal = "nrn:nimbus:iam::123456789012:user/usr-tenant", UserName = "tenant" };

        var denied = await Should.ThrowAsync<NimbusException>(() =>
            quotas.SetLimitAsync(tenant, "demo.widgets", new SetQuotaRequest { Limit = 5000 }, (_, _) => Task.FromResult(true), CancellationToken.None));
        denied.Code.ShouldBe(ErrorCodes.AccessDenied);
        denied.Status.ShouldBe(403);
        denied.Message.ShouldContain("quota:SetQuota");
        (await quotas.ListAsync("123456789012", CancellationToken.None)).Items.Single(q => q.Code == "demo.widgets").IsOverridden.ShouldBeFalse();

        Should.Throw<NimbusException>(() => QuotaService.EnsureAdministrator(tenant, "quota:ListQuotas")).Code.ShouldBe(ErrorCodes.AccessDenied);
        var authorizer = Server.Host.Services.GetRequiredService<IAuthorizer>();
        var otherAccount = $"nrn:nimbus:quota::{Server.Admin.Account}:quota/*";
        (await authorizer.AuthorizeAsync(tenant, "quota:ListQuotas", [otherAccount], CancellationToken.None)).Allowed.ShouldBeFalse();

        // Deny unless a policy allows: a principal the platform does not know is denied even in "its own" account.
        (await authorizer.AuthorizeAsync(tenant, "quota:ListQuotas", ["nrn:nimbus:quota::123456789012:quota/*"], CancellationToken.None)).Allowed.ShouldBeFalse();
    }
}
