using System.Net;
using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Iam;
using Nimbus.Contracts.Resources;
using Nimbus.Contracts.Signing;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Server.Tests;

public sealed class AccessKeyTests : AdminServerTest
{
    [Fact]
    public async Task New_key_authenticates_as_its_user_and_its_secret_is_shown_only_once()
    {
        var created = await (await Admin.PostJsonAsync("/v1/iam/access-keys", new CreateAccessKeyRequest())).ShouldBeOkAsync<CreateAccessKeyResponse>(HttpStatusCode.Created);
        created.AccessKey.AccessKeyId.ShouldStartWith("NKIA");
        created.AccessKey.AccessKeyId.Length.ShouldBe(20);
        created.AccessKey.State.ShouldBe("active");
        created.SecretAccessKey.Length.ShouldBe(40);

        using var client = Server.SignedHttpClient(new SigV4Credentials(created.AccessKey.AccessKeyId, created.SecretAccessKey));
        var identity = await (await client.GetAsync("/v1/sts/caller-identity")).ShouldBeOkAsync<CallerIdentityDto>();
        identity.AccessKeyId.ShouldBe(created.AccessKey.AccessKeyId);
        identity.UserName.ShouldBe("admin");

        var listed = await (await Admin.GetAsync("/v1/iam/access-keys")).Content.ReadAsStringAsync();
        listed.ShouldContain(created.AccessKey.AccessKeyId);
        listed.ShouldNotContain(created.SecretAccessKey);
        var one = await (await Admin.GetAsync($"/v1/iam/access-keys/{created.AccessKey.AccessKeyId}")).Content.ReadAsStringAsync();
        one.ShouldNotContain(created.SecretAccessKey);
    }

    [Fact]
    public async Task Deactivated_key_is_refused_and_works_again_when_activated()
    {
        var created = await (await Admin.PostJsonAsync("/v1/iam/access-keys", new CreateAccessKeyRequest { UserName = "admin" })).ShouldBeOkAsync<CreateAccessKeyResponse>(HttpStatusCode.Created);
        var id = created.AccessKey.AccessKeyId;
        using var client = Server.SignedHttpClient(new SigV4Credentials(id, created.SecretAccessKey));
        (await client.GetAsync("/v1/sts/caller-identity")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var deactivated = await (await Admin.PostAsync($"/v1/iam/access-keys/{id}:deactivate", null)).ShouldBeOkAsync<AccessKeyDto>();
        deactivated.State.ShouldBe("inactive");
        var refused = await (await client.GetAsync("/v1/sts/caller-identity")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.InvalidAccessKeyId);
        refused.Detail!.ShouldContain("inactive");

        await (await Admin.PostAsync($"/v1/iam/access-keys/{id}:activate", null)).ShouldBeOkAsync<AccessKeyDto>();
        (await client.GetAsync("/v1/sts/caller-identity")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Deleted_key_is_refused_and_gone_from_the_list()
    {
        var created = await (await Admin.PostJsonAsync("/v1/iam/access-keys", new CreateAccessKeyRequest())).ShouldBeOkAsync<CreateAccessKeyResponse>(HttpStatusCode.Created);
        var id = created.AccessKey.AccessKeyId;
        (await Admin.DeleteAsync($"/v1/iam/access-keys/{id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        using var client = Server.SignedHttpClient(new SigV4Credentials(id, created.SecretAccessKey));
        await (await client.GetAsync("/v1/sts/caller-identity")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.InvalidAccessKeyId);
        var page = await (await Admin.GetAsync("/v1/iam/access-keys")).ShouldBeOkAsync<PageDto<AccessKeyDto>>();
        page.Items.ShouldNotContain(k => k.AccessKeyId == id);
        await (await Admin.GetAsync($"/v1/iam/access-keys/{id}")).ShouldBeProblemAsync(HttpStatusCode.NotFound, ErrorCodes.NotFound);
        await (await Admin.DeleteAsync($"/v1/iam/access-keys/{id}")).ShouldBeProblemAsync(HttpStatusCode.NotFound, ErrorCodes.NotFound);
    }

    [Fact]
    public async Task A_user_has_at_most_two_active_keys()
    {
        // The bootstrap key is the first; one more is allowed.
        (await Admin.PostJsonAsync("/v1/iam/access-keys", new CreateAccessKeyRequest())).StatusCode.ShouldBe(HttpStatusCode.Created);
        var third = await (await Admin.PostJsonAsync("/v1/iam/access-keys", new CreateAccessKeyRequest())).ShouldBeProblemAsync(HttpStatusCode.Conflict, ErrorCodes.QuotaExceeded);
        third.Detail!.ShouldContain("2");
    }

    [Fact]
    public async Task Concurrent_creates_cannot_pass_the_active_key_limit_together()
    {
        var statuses = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
            (await Admin.PostJsonAsync("/v1/iam/access-keys", new CreateAccessKeyRequest())).StatusCode));
        statuses.Count(s => s == HttpStatusCode.Created).ShouldBe(1);
        statuses.Count(s => s == HttpStatusCode.Conflict).ShouldBe(7);
        var page = await (await Admin.GetAsync("/v1/iam/access-keys")).ShouldBeOkAsync<PageDto<AccessKeyDto>>();
        page.Items.Count(k => k.State == "active").ShouldBe(2);
    }

    [Fact]
    public async Task Deactivating_or_deleting_a_key_frees_its_place()
    {
        var second = await (await Admin.PostJsonAsync("/v1/iam/access-keys", new CreateAccessKeyRequest())).ShouldBeOkAsync<CreateAccessKeyResponse>(HttpStatusCode.Created);
        (await Admin.PostAsync($"/v1/iam/access-keys/{second.AccessKey.AccessKeyId}:deactivate", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var third = await (await Admin.PostJsonAsync("/v1/iam/access-keys", new CreateAccessKeyRequest())).ShouldBeOkAsync<CreateAccessKeyResponse>(HttpStatusCode.Created);
        await (await Admin.PostAsync($"/v1/iam/access-keys/{second.AccessKey.AccessKeyId}:activate", null)).ShouldBeProblemAsync(HttpStatusCode.Conflict, ErrorCodes.QuotaExceeded);
        (await Admin.DeleteAsync($"/v1/iam/access-keys/{third.AccessKey.AccessKeyId}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await Admin.PostAsync($"/v1/iam/access-keys/{second.AccessKey.AccessKeyId}:activate", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Key_for_unknown_user_is_404()
    {
        await (await Admin.PostJsonAsync("/v1/iam/access-keys", new CreateAccessKeyRequest { UserName = "nobody" })).ShouldBeProblemAsync(HttpStatusCode.NotFound, ErrorCodes.NotFound);
    }
}
