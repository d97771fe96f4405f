using System.Net;
using System.Text.Json;
using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Iam;
using Nimbus.Contracts.Resources;
using Nimbus.Contracts.Signing;
using Nimbus.Core.Api;
using Nimbus.Testing;
using Shouldly;
using Xunit;

using static Nimbus.Server.Tests.ApiAssertions;

namespace Nimbus.Server.Tests.Iam;

/// <summary>Users, groups and accounts through the real API.</summary>
public sealed class PrincipalTests : IAsyncLifetime
{
    private const string GoodPassword = "Correct-Horse-Battery-9";
    private NimbusServer _server = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _server = await NimbusServer.StartAsync();
        _admin = _server.SignedHttpClient();
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _server.DisposeAsync();
    }

    private async Task<ResourceDto> CreateUserAsync(HttpClient client, string name, string? password = null) =>
        await (await client.PostJsonAsync("/v1/iam/users", new CreateUserRequest { Name = name, Password = password })).ShouldBeOkAsync<ResourceDto>(HttpStatusCode.Created);

    private async Task<HttpClient> ClientForNewKeyAsync(HttpClient client, string userName)
    {
        var key = await (await client.PostJsonAsync("/v1/iam/access-keys", new CreateAccessKeyRequest { UserName = userName })).ShouldBeOkAsync<CreateAccessKeyResponse>(HttpStatusCode.Created);
        return _server.SignedHttpClient(new SigV4Credentials(key.AccessKey.AccessKeyId, key.SecretAccessKey));
    }

    [Fact]
    public async Task A_user_gets_keys_and_authenticates_as_itself_and_its_password_is_never_shown()
    {
        var alice = await CreateUserAsync(_admin, "alice", GoodPassword);
        alice.Id.ShouldStartWith("usr-");
        alice.Nrn.ShouldBe($"nrn:nimbus:iam::{_server.Admin.Account}:user/{alice.Id}");
        alice.Spec.GetProperty("consoleAccess").GetBoolean().ShouldBeTrue();
        alice.Spec.GetProperty("path").GetString().ShouldBe("/");

        using var asAlice = await ClientForNewKeyAsync(_admin, "alice");
        var identity = await (await asAlice.GetAsync("/v1/sts/caller-identity")).ShouldBeOkAsync<CallerIdentityDto>();
        identity.UserName.ShouldBe("alice");
        identity.Principal.ShouldBe(alice.Nrn);

        var listed = await (await _admin.GetAsync("/v1/iam/users")).Content.ReadAsStringAsync();
        listed.ShouldNotContain(GoodPassword);
        listed.ShouldNotContain("pbkdf2");
        System.Text.Encoding.Latin1.GetString(await File.ReadAllBytesAsync(Path.Combine(_server.DataDirectory, "nimbus.db"))).ShouldNotContain(GoodPassword);
    }

    [Fact]
    public async Task A_weak_password_is_refused_with_every_broken_rule()
    {
        var problem = await (await _admin.PostJsonAsync("/v1/iam/users", new CreateUserRequest { Name = "weak", Password = "short" }))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.InvalidParameter);
        problem.Errors.ShouldAllBe(e => e.Field == "password");
        problem.Errors.Select(e => e.Message).ShouldContain("must be at least 12 characters long");
        problem.Errors.Select(e => e.Message).ShouldContain("must contain a digit");
    }

    [Theory]
    [InlineData("bad name")]
    [InlineData("")]
    [InlineData("slash/name")]
    public async Task Bad_user_names_are_refused(string name)
    {
        var problem = await (await _admin.PostJsonAsync("/v1/iam/users", new CreateUserRequest { Name = name })).ShouldBeProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.InvalidParameter);
        problem.Errors.Single().Field.ShouldBe("name");
    }

    [Fact]
    public async Task Duplicate_user_is_already_exists_and_update_uses_the_version()
    {
        var bob = await CreateUserAsync(_admin, "bob");
        await (await _admin.PostJsonAsync("/v1/iam/users", new CreateUserRequest { Name = "bob" })).ShouldBeProblemAsync(HttpStatusCode.Conflict, ErrorCodes.AlreadyExists);

        var updated = await (await _admin.PutAsync($"/v1/iam/users/{bob.Id}", Json(new UpdateUserRequest { Version = 1, Path = "/ops/", Tags = new Dictionary<string, string> { ["team"] = "ops" } }))).ShouldBeOkAsync<ResourceDto>();
        updated.Version.ShouldBe(2);
        updated.Spec.GetProperty("path").GetString().ShouldBe("/ops/");
        await (await _admin.PutAsync($"/v1/iam/users/{bob.Id}", Json(new UpdateUserRequest { Version = 1, Path = "/x/" }))).ShouldBeProblemAsync(HttpStatusCode.Conflict, ErrorCodes.VersionConflict);
        await (await _admin.PutAsync($"/v1/iam/users/{bob.Id}", Json(new UpdateUserRequest { Version = 2, Path = "no-slashes" }))).ShouldBeProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.InvalidParameter);
        var filtered = await (await _admin.GetAsync("/v1/iam/users?tag=team%3Dops")).ShouldBeOkAsync<PageDto<ResourceDto>>();
        filtered.Items.Select(u => u.Name).ShouldBe(["bob"]);
    }

    [Fact]
    public async Task Password_changes_refuse_recent_passwords()
    {
        var carol = await CreateUserAsync(_admin, "carol", GoodPassword);
        (await _admin.PostAsync($"/v1/iam/users/{carol.Id}:set-password", Json(new SetPasswordRequest { Password = "Another-Good-Pass-1" }))).StatusCode.ShouldBe(HttpStatusCode.OK);
        var problem = await (await _admin.PostAsync($"/v1/iam/users/{carol.Id}:set-password", Json(new SetPasswordRequest { Password = GoodPassword })))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.InvalidParameter);
        problem.Detail!.ShouldContain("last 5 passwords");
    }

    [Fact]
    public async Task A_user_with_keys_or_groups_cannot_be_deleted_until_they_are_gone()
    {
        var dave = await CreateUserAsync(_admin, "dave");
        var key = await (await _admin.PostJsonAsync("/v1/iam/access-keys", new CreateAccessKeyRequest { UserName = "dave" })).ShouldBeOkAsync<CreateAccessKeyResponse>(HttpStatusCode.Created);
        var group = await (await _admin.PostJsonAsync("/v1/iam/groups", new CreateGroupRequest { Name = "ops" })).ShouldBeOkAsync<ResourceDto>(HttpStatusCode.Created);
        var withDave = await (await _admin.PostAsync($"/v1/iam/groups/{group.Id}:add-user", Json(new GroupMemberRequest { UserName = "dave" }))).ShouldBeOkAsync<ResourceDto>();
        withDave.Spec.GetProperty("members").EnumerateArray().Select(m => m.GetString()).ShouldBe([dave.Id]);

        (await (await _admin.DeleteAsync($"/v1/iam/users/{dave.Id}")).ShouldBeProblemAsync(HttpStatusCode.Conflict, ErrorCodes.Conflict)).Detail!.ShouldContain("access keys");
        (await _admin.DeleteAsync($"/v1/iam/access-keys/{key.AccessKey.AccessKeyId}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await (await _admin.DeleteAsync($"/v1/iam/users/{dave.Id}")).ShouldBeProblemAsync(HttpStatusCode.Conflict, ErrorCodes.Conflict)).Detail!.ShouldContain("ops");
        await (await _admin.DeleteAsync($"/v1/iam/groups/{group.Id}")).ShouldBeProblemAsync(HttpStatusCode.Conflict, ErrorCodes.Conflict);

        (await _admin.PostAsync($"/v1/iam/groups/{group.Id}:remove-user", Json(new GroupMemberRequest { UserName = "dave" }))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await _admin.DeleteAsync($"/v1/iam/users/{dave.Id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await _admin.DeleteAsync($"/v1/iam/groups/{group.Id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        await (await _admin.GetAsync($"/v1/iam/users/{dave.Id}")).ShouldBeProblemAsync(HttpStatusCode.NotFound, ErrorCodes.NotFound);
    }

    [Fact]
    public async Task Adding_an_unknown_user_to_a_group_is_404()
    {
        var group = await (await _admin.PostJsonAsync("/v1/iam/groups", new CreateGroupRequest { Name = "devs" })).ShouldBeOkAsync<ResourceDto>(HttpStatusCode.Created);
        await (await _admin.PostAsync($"/v1/iam/groups/{group.Id}:add-user", Json(new GroupMemberRequest { UserName = "ghost" }))).ShouldBeProblemAsync(HttpStatusCode.NotFound, ErrorCodes.NotFound);
    }

    [Fact]
    public async Task Accounts_are_tenants_that_see_only_themselves()
    {
        var created = await (await _admin.PostJsonAsync("/v1/iam/accounts", new CreateAccountRequest { Name = "team-a" })).ShouldBeOkAsync<CreateAccountResponse>(HttpStatusCode.Created);
        created.Account.Id.Length.ShouldBe(12);
        created.Account.Kind.ShouldBe("iam/account");
        created.RootAccessKey.AccessKey.UserName.ShouldBe("root");
        await (await _admin.PostJsonAsync("/v1/iam/accounts", new CreateAccountRequest { Name = "TEAM-A" })).ShouldBeProblemAsync(HttpStatusCode.Conflict, ErrorCodes.AlreadyExists);
        await (await _admin.PostJsonAsync("/v1/iam/accounts", new CreateAccountRequest { Name = "admin" })).ShouldBeProblemAsync(HttpStatusCode.Conflict, ErrorCodes.AlreadyExists);

        using var root = _server.SignedHttpClient(new SigV4Credentials(created.RootAccessKey.AccessKey.AccessKeyId, created.RootAccessKey.SecretAccessKey));
        var identity = await (await root.GetAsync("/v1/sts/caller-identity")).ShouldBeOkAsync<CallerIdentityDto>();
        identity.Account.ShouldBe(created.Account.Id);
        identity.IsPlatformAdministrator.ShouldBeFalse();

        // The tenant builds its own users; the platform's are invisible to it, and the reverse.
        var erin = await CreateUserAsync(root, "erin");
        erin.Account.ShouldBe(created.Account.Id);
        var adminUsers = await (await _admin.GetAsync("/v1/iam/users")).ShouldBeOkAsync<PageDto<ResourceDto>>();
        adminUsers.Items.ShouldNotContain(u => u.Name == "erin");
        var tenantUsers = await (await root.GetAsync("/v1/iam/users")).ShouldBeOkAsync<PageDto<ResourceDto>>();
        tenantUsers.Items.Select(u => u.Name).ShouldBe(["root", "erin"], ignoreOrder: true);
        var adminUser = adminUsers.Items.Single(u => u.Name == "admin");
        await (await root.GetAsync($"/v1/iam/users/{adminUser.Id}")).ShouldBeProblemAsync(HttpStatusCode.NotFound, ErrorCodes.NotFound);

        var seenByTenant = await (await root.GetAsync("/v1/iam/accounts")).ShouldBeOkAsync<PageDto<ResourceDto>>();
        seenByTenant.Items.Select(a => a.Id).ShouldBe([created.Account.Id]);
        var seenByAdmin = await (await _admin.GetAsync("/v1/iam/accounts")).ShouldBeOkAsync<PageDto<ResourceDto>>();
        seenByAdmin.Items.Select(a => a.Id).ShouldBe([_server.Admin.Account, created.Account.Id], ignoreOrder: true);
        await (await root.PostJsonAsync("/v1/iam/accounts", new CreateAccountRequest { Name = "team-b" })).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);
    }

    [Fact]
    public async Task Users_count_against_the_account_user_quota()
    {
        var created = await (await _admin.PostJsonAsync("/v1/iam/accounts", new CreateAccountRequest { Name = "small" })).ShouldBeOkAsync<CreateAccountResponse>(HttpStatusCode.Created);
        (await _admin.PutAsync("/v1/quotas/iam.users", Json(new Contracts.Quotas.SetQuotaRequest { Account = created.Account.Id, Limit = 2 }))).StatusCode.ShouldBe(HttpStatusCode.OK);
        using var root = _server.SignedHttpClient(new SigV4Credentials(created.RootAccessKey.AccessKey.AccessKeyId, created.RootAccessKey.SecretAccessKey));

        var second = await CreateUserAsync(root, "second");
        var refused = await (await root.PostJsonAsync("/v1/iam/users", new CreateUserRequest { Name = "third" })).ShouldBeProblemAsync(HttpStatusCode.Conflict, ErrorCodes.QuotaExceeded);
        refused.Detail!.ShouldContain("iam.users");

        (await root.DeleteAsync($"/v1/iam/users/{second.Id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        await CreateUserAsync(root, "third");

        // A tenant cannot raise its own limits.
        await (await root.PutAsync("/v1/quotas/iam.users", Json(new Contracts.Quotas.SetQuotaRequest { Account = created.Account.Id, Limit = 50 })))
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);
    }
}
