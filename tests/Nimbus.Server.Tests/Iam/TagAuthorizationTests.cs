using System.Net;
using Nimbus.Contracts.Demo;
using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Iam;
using Nimbus.Contracts.Resources;
using Nimbus.Contracts.Signing;
using Nimbus.Testing;
using Shouldly;
using Xunit;

using static Nimbus.Server.Tests.ApiAssertions;

namespace Nimbus.Server.Tests.Iam;

/// <summary>Tag conditions through the real API: the pipeline hands the authorizer the resource's and the request's tags.</summary>
public sealed class TagAuthorizationTests : IAsyncLifetime
{
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

    private async Task<HttpClient> UserWithPolicyAsync(string name, string document)
    {
        var user = await (await _admin.PostJsonAsync("/v1/iam/users", new CreateUserRequest { Name = name })).ShouldBeOkAsync<ResourceDto>(HttpStatusCode.Created);
        var policy = await (await _admin.PostJsonAsync("/v1/iam/policies", new CreatePolicyRequest { Name = name + "-policy", Document = document })).ShouldBeOkAsync<ResourceDto>(HttpStatusCode.Created);
        (await _admin.PostAsync($"/v1/iam/users/{user.Id}:attach-policy", Json(new PolicyAttachmentRequest { Policy = policy.Id }))).StatusCode.ShouldBe(HttpStatusCode.OK);
        var key = await (await _admin.PostJsonAsync("/v1/iam/access-keys", new CreateAccessKeyRequest { UserName = name })).ShouldBeOkAsync<CreateAccessKeyResponse>(HttpStatusCode.Created);
        return _server.SignedHttpClient(new SigV4Credentials(key.AccessKey.AccessKeyId, key.SecretAccessKey));
    }

    private static CreateWidgetRequest Widget(string name, IReadOnlyDictionary<string, string>? tags) =>
        new() { Name = name, Spec = new WidgetSpec { Message = "m" }, Tags = tags };

    private async Task<ResourceDto> AdminWidgetAsync(string name, string team) =>
        await (await _admin.PostJsonAsync("/v1/demo/widgets", Widget(name, new Dictionary<string, string> { ["team"] = team }))).ShouldBeOkAsync<ResourceDto>(HttpStatusCode.Created);

    [Fact]
    public async Task A_resource_tag_condition_allows_acting_only_on_tagged_resources()
    {
        using var blueTeam = await UserWithPolicyAsync("blue-member", """
            {
              "Version": "2012-10-17",
              "Statement": [
                { "Sid": "List", "Effect": "Allow", "Action": "demo:ListWidgets", "Resource": "*" },
                { "Sid": "OwnTeam", "Effect": "Allow", "Action": ["demo:GetWidget", "demo:UpdateWidget", "demo:DeleteWidget"], "Resource": "*",
                  "Condition": { "StringEquals": { "nimbus:ResourceTag/team": "blue" } } }
              ]
            }
            """);
        var blue = await AdminWidgetAsync("blue-widget", "blue");
        var red = await AdminWidgetAsync("red-widget", "red");

        (await blueTeam.GetAsync($"/v1/demo/widgets/{blue.Id}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var denied = await (await blueTeam.GetAsync($"/v1/demo/widgets/{red.Id}")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);
        denied.Detail!.ShouldContain("demo:GetWidget");
        await (await blueTeam.DeleteAsync($"/v1/demo/widgets/{red.Id}")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);

        // Retagging the red widget blue hands it over; an unknown id is still a 404 for the handler to say.
        var update = new UpdateWidgetRequest { Version = red.Version, Spec = new WidgetSpec { Message = "m" }, Tags = new Dictionary<string, string> { ["team"] = "blue" } };
        (await _admin.PutAsync($"/v1/demo/widgets/{red.Id}", Json(update))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await blueTeam.GetAsync($"/v1/demo/widgets/{red.Id}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await blueTeam.DeleteAsync($"/v1/demo/widgets/{blue.Id}")).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        await (await blueTeam.GetAsync("/v1/demo/widgets/wdg-doesnotexist")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);
    }

    [Fact]
    public async Task A_request_tag_condition_on_create_allows_only_the_named_tag_value()
    {
        using var client = await UserWithPolicyAsync("tagging-creator", """
            {
              "Version": "2012-10-17",
              "Statement": [
                { "Sid": "CreateBlue", "Effect": "Allow", "Action": "demo:CreateWidget", "Resource": "*",
                  "Condition": { "StringEquals": { "nimbus:RequestTag/team": "blue" } } }
              ]
            }
            """);

        (await client.PostJsonAsync("/v1/demo/widgets", Widget("tagged-blue", new Dictionary<string, string> { ["team"] = "blue" }))).StatusCode.ShouldBe(HttpStatusCode.Created);
        await (await client.PostJsonAsync("/v1/demo/widgets", Widget("tagged-red", new Dictionary<string, string> { ["team"] = "red" }))).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);
        await (await client.PostJsonAsync("/v1/demo/widgets", Widget("untagged", null))).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);
    }

    [Fact]
    public async Task A_deny_on_tag_keys_refuses_requests_setting_other_tags_however_the_body_spells_them()
    {
        using var client = await UserWithPolicyAsync("restricted-tagger", """
            {
              "Version": "2012-10-17",
              "Statement": [
                { "Sid": "Widgets", "Effect": "Allow", "Action": "demo:*", "Resource": "*" },
                { "Sid": "OnlyTeamAndEnv", "Effect": "Deny", "Action": ["demo:CreateWidget", "demo:UpdateWidget"], "Resource": "*",
                  "Condition": { "ForAnyValue:StringNotEquals": { "nimbus:TagKeys": ["team", "env"] } } }
              ]
            }
            """);

        (await client.PostJsonAsync("/v1/demo/widgets", Widget("allowed-tags", new Dictionary<string, string> { ["team"] = "blue", ["env"] = "dev" }))).StatusCode.ShouldBe(HttpStatusCode.Created);
        var denied = await (await client.PostJsonAsync("/v1/demo/widgets", Widget("cost-tagged", new Dictionary<string, string> { ["team"] = "blue", ["cost-center"] = "42" }))).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);
        denied.Detail!.ShouldContain("OnlyTeamAndEnv");

        // The deserializer reads property names case-insensitively; so does the tag reader.
        using var shouting = new StringContent("""{"name":"shouting","spec":{"message":"m"},"Tags":{"owner":"eve"}}""", System.Text.Encoding.UTF8, "application/json");
        await (await client.PostAsync("/v1/demo/widgets", shouting)).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);

        // An update is checked against the tags it sets.
        var widget = await AdminWidgetAsync("to-retag", "blue");
        var update = new UpdateWidgetRequest { Version = widget.Version, Spec = new WidgetSpec { Message = "m" }, Tags = new Dictionary<string, string> { ["owner"] = "eve" } };
        await (await client.PutAsync($"/v1/demo/widgets/{widget.Id}", Json(update))).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);
    }
}
