using System.Net;
using Nimbus.Cli.Tests.EndToEnd.Support;
using Nimbus.Contracts.Demo;
using Nimbus.Contracts.Errors;
using Nimbus.Sdk;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Cli.Tests.EndToEnd;

/// <summary>The server's problem+json answers, as the SDK surfaces them in <see cref="NimbusApiException"/>.</summary>
public sealed class SdkErrorTests : IAsyncLifetime
{
    private NimbusServer _server = null!;
    private NimbusClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await NimbusServer.StartAsync();
        _client = Clients.For(_server);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    private static void ShouldCarryServerProblem(NimbusApiException error, HttpStatusCode status, string code, string instance)
    {
        error.StatusCode.ShouldBe(status);
        error.Code.ShouldBe(code);
        error.IsTransient.ShouldBeFalse();
        error.Problem.Status.ShouldBe((int)status);
        error.Problem.Type.ShouldBe("https://nimbus.dev/problems/" + code);
        error.Problem.Instance.ShouldBe(instance);
        error.RequestId.ShouldNotBeNull().ShouldMatch("^req-[0-9a-z]{20}$");
        error.RetryAfter.ShouldBeNull();
    }

    [Fact]
    public async Task Reading_a_missing_widget_is_NotFound()
    {
        var error = await Should.ThrowAsync<NimbusApiException>(() => _client.Demo.Widgets.GetAsync("wdg-000000000000"));

        ShouldCarryServerProblem(error, HttpStatusCode.NotFound, ErrorCodes.NotFound, "/v1/demo/widgets/wdg-000000000000");
        error.Message.ShouldBe("Widget 'wdg-000000000000' was not found.");
        error.Errors.ShouldBeEmpty();
    }

    [Fact]
    public async Task Updating_with_a_stale_version_is_VersionConflict_and_changes_nothing()
    {
        var widgets = _client.Demo.Widgets;
        var created = await widgets.CreateAsync(new CreateWidgetRequest { Name = "stale", Spec = new WidgetSpec { Message = "one" } });
        await widgets.UpdateAsync(created.Id, new UpdateWidgetRequest { Version = 1, Spec = new WidgetSpec { Message = "two" } });

        var error = await Should.ThrowAsync<NimbusApiException>(() =>
            widgets.UpdateAsync(created.Id, new UpdateWidgetRequest { Version = 1, Spec = new WidgetSpec { Message = "three" } }));

        ShouldCarryServerProblem(error, HttpStatusCode.Conflict, ErrorCodes.VersionConflict, "/v1/demo/widgets/" + created.Id);
        error.Message.ShouldBe($"Resource {created.Id} is at version 2, not 1; read it again and retry.");
        var current = await widgets.GetAsync(created.Id);
        current.Version.ShouldBe(2);
        current.SpecAs<WidgetSpec>().Message.ShouldBe("two");
    }

    [Fact]
    public async Task Creating_a_second_widget_with_the_same_name_is_AlreadyExists()
    {
        var widgets = _client.Demo.Widgets;
        var first = await widgets.CreateAsync(new CreateWidgetRequest { Name = "twin", Spec = new WidgetSpec { Message = "a" } });

        var error = await Should.ThrowAsync<NimbusApiException>(() =>
            widgets.CreateAsync(new CreateWidgetRequest { Name = "twin", Spec = new WidgetSpec { Message = "b" } }));

        ShouldCarryServerProblem(error, HttpStatusCode.Conflict, ErrorCodes.AlreadyExists, "/v1/demo/widgets");
        error.Message.ShouldBe("Widget 'twin' already exists.");
        (await widgets.ListAsync(name: "twin")).Items.Select(w => w.Id).ShouldBe([first.Id]);
    }

    [Fact]
    public async Task Invalid_create_is_InvalidParameter_naming_every_bad_field()
    {
        var error = await Should.ThrowAsync<NimbusApiException>(() => _client.Demo.Widgets.CreateAsync(new CreateWidgetRequest
        {
            Name = "not a name!",
            Tags = new Dictionary<string, string> { ["nimbus:owner"] = "me" },
            Spec = new WidgetSpec { Message = "", Copies = 101 },
        }));

        ShouldCarryServerProblem(error, HttpStatusCode.BadRequest, ErrorCodes.InvalidParameter, "/v1/demo/widgets");
        error.Message.ShouldBe("4 fields are invalid.");
        error.Errors.Select(e => (e.Field, e.Message)).ShouldBe(
        [
            ("name", "may contain only letters, digits, '.', '_' and '-'"),
            ("tags.nimbus:owner", "the 'nimbus:' prefix is reserved for the platform"),
            ("spec.message", "must be 1 to 4096 characters"),
            ("spec.copies", "must be from 1 to 100"),
        ]);
        (await _client.Demo.Widgets.ListAsync()).Items.ShouldBeEmpty();
    }

    [Fact]
    public async Task Creating_a_third_active_access_key_is_QuotaExceeded()
    {
        var keys = _client.Iam.AccessKeys;
        var second = await keys.CreateAsync();

        var error = await Should.ThrowAsync<NimbusApiException>(() => keys.CreateAsync());

        ShouldCarryServerProblem(error, HttpStatusCode.Conflict, ErrorCodes.QuotaExceeded, "/v1/iam/access-keys");
        var userId = second.AccessKey.Principal[(second.AccessKey.Principal.LastIndexOf('/') + 1)..];
        error.Message.ShouldBe($"Quota iam.access-keys-per-user of user {userId} of account {second.AccessKey.Account} is exceeded: limit 2, usage 2, requested 1 access keys. Free some, or ask a platform administrator to raise the limit.");
        error.Problem.Quota.ShouldBe(new QuotaProblemDto { Code = "iam.access-keys-per-user", Limit = 2, Usage = 2, Requested = 1 });
        await keys.DeactivateAsync(second.AccessKey.AccessKeyId);
        (await keys.CreateAsync()).AccessKey.State.ShouldBe("active");
        (await Should.ThrowAsync<NimbusApiException>(() => keys.ActivateAsync(second.AccessKey.AccessKeyId))).Code.ShouldBe(ErrorCodes.QuotaExceeded);
    }

    [Fact]
    public async Task Unknown_fields_are_MalformedRequest_and_unknown_routes_and_methods_are_named_as_such()
    {
        var malformed = await Should.ThrowAsync<NimbusApiException>(() =>
            _client.SendAsync(HttpMethod.Post, "/v1/demo/widgets", new { name = "typo", spec = new { message = "m", copis = 2 } }));
        ShouldCarryServerProblem(malformed, HttpStatusCode.BadRequest, ErrorCodes.MalformedRequest, "/v1/demo/widgets");
        malformed.Message.ShouldContain("copis");

        var route = await Should.ThrowAsync<NimbusApiException>(() => _client.SendAsync(HttpMethod.Get, "/v1/demo/gadgets"));
        ShouldCarryServerProblem(route, HttpStatusCode.NotFound, ErrorCodes.RouteNotFound, "/v1/demo/gadgets");

        var method = await Should.ThrowAsync<NimbusApiException>(() => _client.SendAsync(HttpMethod.Patch, "/v1/demo/widgets"));
        ShouldCarryServerProblem(method, HttpStatusCode.MethodNotAllowed, ErrorCodes.MethodNotAllowed, "/v1/demo/widgets");
        (await _client.Demo.Widgets.ListAsync()).Items.ShouldBeEmpty();
    }

    [Fact]
    public async Task Wrong_secret_is_SignatureDoesNotMatch_and_unknown_key_is_InvalidAccessKeyId()
    {
        using var wrongSecret = Clients.For(_server, new(_server.Admin.AccessKeyId, "not-the-secret"));
        var signature = await Should.ThrowAsync<NimbusApiException>(() => wrongSecret.Sts.GetCallerIdentityAsync());
        ShouldCarryServerProblem(signature, HttpStatusCode.Forbidden, ErrorCodes.SignatureDoesNotMatch, "/v1/sts/caller-identity");

        using var unknownKey = Clients.For(_server, new("NKIAAAAAAAAAAAAAAAAA", "whatever"));
        var key = await Should.ThrowAsync<NimbusApiException>(() => unknownKey.Sts.GetCallerIdentityAsync());
        ShouldCarryServerProblem(key, HttpStatusCode.Forbidden, ErrorCodes.InvalidAccessKeyId, "/v1/sts/caller-identity");
    }
}
