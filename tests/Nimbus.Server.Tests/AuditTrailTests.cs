using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Nimbus.Contracts.Audit;
using Nimbus.Contracts.Demo;
using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Iam;
using Nimbus.Contracts.Resources;
using Nimbus.Contracts.Signing;
using Nimbus.Core.Api;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;
using Nimbus.Iam;
using Nimbus.Iam.AccessKeys;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Server.Tests;

public sealed class AuditTrailTests : IAsyncLifetime
{
    private const string OtherAccount = "210987654321";

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

    private static HttpRequestMessage Request(HttpMethod method, string path, string requestId, string? json = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-Request-Id", requestId);
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("audit-test", "1.0"));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return request;
    }

    private static async Task<List<AuditEventDto>> AllEventsAsync(HttpClient client, string filter = "")
    {
        var events = new List<AuditEventDto>();
        string? token = null;
        do
        {
            var path = "/v1/audit/events?pageSize=1000" + filter + (token is null ? "" : "&nextToken=" + token);
            var page = await (await client.GetAsync(path)).ShouldBeOkAsync<PageDto<AuditEventDto>>();
            events.AddRange(page.Items);
            token = page.NextToken;
        }
        while (token is not null);
        return events;
    }

    private static async Task<AuditEventDto> SingleEventAsync(HttpClient client, string requestId)
    {
        var matching = (await AllEventsAsync(client)).Where(e => e.RequestId == requestId).ToList();
        matching.Count.ShouldBe(1, $"records of {requestId}");
        return matching[0];
    }

    private async Task<SigV4Credentials> CreateUserInOtherAccountAsync(string userName)
    {
        var keys = _server.Host.Services.GetRequiredService<AccessKeyService>();
        var store = _server.Host.Services.GetRequiredService<IResourceStore>();
        var (key, secret) = await store.WriteAsync(
            async (w, ct) =>
            {
                var now = DateTimeOffset.UtcNow;
                await w.CreateAsync(
                    new Resource
                    {
                        Id = ResourceIds.New(IamKinds.UserIdPrefix),
                        Kind = IamKinds.User,
                        Account = OtherAccount,
                        Region = IamKinds.GlobalRegion,
                        Name = userName,
                        // The root user of another account: allowed everything there without policies.
                        Spec = JsonSerializer.SerializeToElement(new Nimbus.Contracts.Iam.UserSpec { Path = "/", Root = true }, NimbusJson.Options),
                        Status = new ResourceStatus { Phase = ResourcePhases.Ready },
                        CreatedAt = now,
                        UpdatedAt = now,
                    },
                    ct);
                return await keys.CreateAsync(w, OtherAccount, userName, ct);
            },
            CancellationToken.None);
        var dto = await keys.ToDtoAsync(key, CancellationToken.None);
        return new SigV4Credentials(dto.AccessKeyId, secret);
    }

    [Fact]
    public async Task Every_request_is_recorded_once_with_exact_fields_allowed_denied_and_unrouted()
    {
        var body = """{"name":"audited","spec":{"message":"hi","copies":1}}""";
        var created = await _admin.SendAsync(Request(HttpMethod.Post, "/v1/demo/widgets", "req-audit-create", body));
        var widget = await created.ShouldBeOkAsync<ResourceDto>(HttpStatusCode.Created);
        await (await _admin.SendAsync(Request(HttpMethod.Get, $"/v1/demo/widgets/{widget.Id}", "req-audit-get"))).ShouldBeOkAsync<ResourceDto>();
        await (await _admin.SendAsync(Request(HttpMethod.Get, "/v1/nothing/here", "req-audit-404"))).ShouldBeProblemAsync(HttpStatusCode.NotFound, ErrorCodes.RouteNotFound);
        using (var anonymous = _server.AnonymousHttpClient())
        {
            await (await anonymous.SendAsync(Request(HttpMethod.Get, "/v1/demo/widgets", "req-audit-401"))).ShouldBeProblemAsync(HttpStatusCode.Unauthorized, ErrorCodes.MissingAuthentication);
        }

        using (var forged = _server.SignedHttpClient(new SigV4Credentials(_server.Admin.AccessKeyId, new string('x', 40))))
        {
            await (await forged.SendAsync(Request(HttpMethod.Delete, $"/v1/demo/widgets/{widget.Id}", "req-audit-403"))).ShouldBeProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.SignatureDoesNotMatch);
        }

        var account = widget.Account;
        var identity = await (await _admin.GetAsync("/v1/sts/caller-identity")).ShouldBeOkAsync<CallerIdentityDto>();
        var principal = identity.Principal;
        var create = await SingleEventAsync(_admin, "req-audit-create");
        create.Account.ShouldBe(account);
        create.Principal.ShouldBe(principal);
        create.UserName.ShouldBe("admin");
        create.SessionName.ShouldBeNull();
        create.AccessKeyId.ShouldBe(_server.Admin.AccessKeyId);
        create.SourceIp.ShouldBe("127.0.0.1");
        create.UserAgent.ShouldBe("audit-test/1.0");
        create.Method.ShouldBe("POST");
        create.Path.ShouldBe("/v1/demo/widgets");
        create.Action.ShouldBe("demo:CreateWidget");
        create.Resources.ShouldBe([$"nrn:nimbus:demo:local:{account}:widget/*"]);
        create.Outcome.ShouldBe(AuditOutcomes.Allowed);
        create.Status.ShouldBe(201);
        create.ErrorCode.ShouldBeNull();
        create.RequestParameters!.Value.GetRawText().ShouldBe(body);
        create.Time.ShouldBeInRange(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow);

        var get = await SingleEventAsync(_admin, "req-audit-get");
        get.Action.ShouldBe("demo:GetWidget");
        get.Resources.ShouldBe([widget.Nrn]);
        get.Status.ShouldBe(200);
        get.RequestParameters.ShouldBeNull();

        var unrouted = await SingleEventAsync(_admin, "req-audit-404");
        unrouted.Action.ShouldBeNull();
        unrouted.Principal.ShouldBe(principal);
        unrouted.Outcome.ShouldBe(AuditOutcomes.Error);
        unrouted.Status.ShouldBe(404);
        unrouted.ErrorCode.ShouldBe(ErrorCodes.RouteNotFound);

        var unauthenticated = await SingleEventAsync(_admin, "req-audit-401");
        unauthenticated.Account.ShouldBeNull();
        unauthenticated.Principal.ShouldBeNull();
        unauthenticated.AccessKeyId.ShouldBeNull();
        unauthenticated.SourceIp.ShouldBe("127.0.0.1");
        unauthenticated.Action.ShouldBe("demo:ListWidgets");
        unauthenticated.Resources.ShouldBeEmpty();
        unauthenticated.Outcome.ShouldBe(AuditOutcomes.Denied);
        unauthenticated.Status.ShouldBe(401);
        unauthenticated.ErrorCode.ShouldBe(ErrorCodes.MissingAuthentication);

        var forgedEvent = await SingleEventAsync(_admin, "req-audit-403");
        forgedEvent.Principal.ShouldBeNull();
        forgedEvent.AccessKeyId.ShouldBe(_server.Admin.AccessKeyId);
        forgedEvent.Method.ShouldBe("DELETE");
        forgedEvent.Action.ShouldBe("demo:DeleteWidget");
        forgedEvent.Outcome.ShouldBe(AuditOutcomes.Denied);
        forgedEvent.Status.ShouldBe(403);
        forgedEvent.ErrorCode.ShouldBe(ErrorCodes.SignatureDoesNotMatch);
    }

    [Fact]
    public async Task Secrets_are_redacted_and_never_reach_the_database_file()
    {
        var response = await _admin.SendAsync(Request(HttpMethod.Post, "/v1/iam/access-keys", "req-audit-key", """{"userName":"admin"}"""));
        var created = await response.ShouldBeOkAsync<CreateAccessKeyResponse>(HttpStatusCode.Created);
        var leaky = """{"name":"x","spec":{"message":"m"},"dbPassword":"hunter2-sekrit","nested":[{"apiToken":"tok-sekrit","PrivateKey":{"pem":"pem-sekrit"}}],"clientSecret":42}""";
        await (await _admin.SendAsync(Request(HttpMethod.Post, "/v1/demo/widgets", "req-audit-leaky", leaky))).ShouldBeProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.MalformedRequest);
        var huge = """{"name":"big","spec":{"message":"ñ""" + new string('a', 20 * 1024) + "\"}}";
        await _admin.SendAsync(Request(HttpMethod.Post, "/v1/demo/widgets", "req-audit-huge", huge));

        var key = await SingleEventAsync(_admin, "req-audit-key");
        key.Action.ShouldBe("iam:CreateAccessKey");
        key.RequestParameters!.Value.GetRawText().ShouldBe("""{"userName":"admin"}""");
        var leak = await SingleEventAsync(_admin, "req-audit-leaky");
        leak.ErrorCode.ShouldBe(ErrorCodes.MalformedRequest);
        leak.RequestParameters!.Value.GetRawText().ShouldBe(
            """{"name":"x","spec":{"message":"m"},"dbPassword":"***REDACTED***","nested":[{"apiToken":"***REDACTED***","PrivateKey":"***REDACTED***"}],"clientSecret":"***REDACTED***"}""");
        var big = await SingleEventAsync(_admin, "req-audit-huge");
        var text = big.RequestParameters!.Value.GetString()!;
        text.ShouldStartWith("""{"name":"big","spec":{"message":"ñaaa""");
        text.ShouldEndWith("first 16384 kept]");
        Encoding.UTF8.GetByteCount(text).ShouldBeLessThan(16 * 1024 + 100);

        var exported = await (await _admin.GetAsync("/v1/audit/events:export")).Content.ReadAsStringAsync();
        foreach (var secret in new[] { created.SecretAccessKey, "hunter2-sekrit", "tok-sekrit", "pem-sekrit" })
        {
            exported.ShouldNotContain(secret);
        }

        // The database files themselves (store and audit, with their WALs), after the trail is drained and the store closed.
        await _server.StopAsync();
        var files = Directory.GetFiles(_server.DataDirectory, "nimbus*.db*");
        files.ShouldNotBeEmpty();
        var bytes = files.SelectMany(File.ReadAllBytes).ToArray();
        bytes.AsSpan().IndexOf("req-audit-leaky"u8).ShouldBeGreaterThanOrEqualTo(0, "the audit record is in the file");
        foreach (var secret in new[] { created.SecretAccessKey, "hunter2-sekrit", "tok-sekrit", "pem-sekrit" })
        {
            bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)).ShouldBe(-1, secret);
        }
    }

    [Fact]
    public async Task Filters_select_by_principal_action_resource_outcome_and_time()
    {
        var alice = await CreateUserInOtherAccountAsync("alice");
        using var aliceClient = _server.SignedHttpClient(alice);
        var widget = await (await aliceClient.PostJsonAsync("/v1/demo/widgets", new CreateWidgetRequest { Name = "w1", Spec = new WidgetSpec { Message = "m" } })).ShouldBeOkAsync<ResourceDto>(HttpStatusCode.Created);
        await aliceClient.GetAsync($"/v1/demo/widgets/{widget.Id}");
        await aliceClient.GetAsync("/v1/iam/access-keys");
        await _admin.GetAsync("/v1/sts/caller-identity");
        using (var forged = _server.SignedHttpClient(new SigV4Credentials(alice.AccessKeyId, new string('y', 40))))
        {
            await forged.GetAsync("/v1/iam/access-keys");
        }

        var byAlice = await AllEventsAsync(_admin, "&principal=alice");
        byAlice.Select(e => e.Action).ShouldBe(["iam:ListAccessKeys", "demo:GetWidget", "demo:CreateWidget"]);
        (await AllEventsAsync(_admin, "&principal=" + Uri.EscapeDataString(byAlice[0].Principal!))).Count.ShouldBe(3);
        byAlice[0].Principal.ShouldStartWith($"nrn:nimbus:iam::{OtherAccount}:user/usr-");
        (await AllEventsAsync(_admin, "&principal=alice&action=demo:*")).Select(e => e.Action).ShouldBe(["demo:GetWidget", "demo:CreateWidget"]);
        (await AllEventsAsync(_admin, "&action=iam:ListAccessKeys")).Count.ShouldBe(2);
        (await AllEventsAsync(_admin, "&resource=" + Uri.EscapeDataString(widget.Nrn))).Select(e => e.Action).ShouldBe(["demo:GetWidget"]);
        var denied = await AllEventsAsync(_admin, "&outcome=denied");
        denied.Count.ShouldBe(1);
        denied[0].AccessKeyId.ShouldBe(alice.AccessKeyId);
        (await AllEventsAsync(_admin, "&since=1h&principal=alice")).Count.ShouldBe(3);
        (await AllEventsAsync(_admin, "&until=" + Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(-1).ToString("O")))).ShouldBeEmpty();
        (await AllEventsAsync(_admin, "&since=2020-01-01T00:00:00Z&until=2020-01-02")).ShouldBeEmpty();

        // A caller outside the platform account sees only its own account's events.
        var aliceView = await AllEventsAsync(aliceClient);
        aliceView.ShouldNotBeEmpty();
        aliceView.ShouldAllBe(e => e.Account == OtherAccount);
        aliceView.ShouldNotContain(e => e.Action == "sts:GetCallerIdentity");
    }

    [Fact]
    public async Task Bad_filters_are_invalid_parameter_naming_every_field()
    {
        var problem = await (await _admin.GetAsync("/v1/audit/events?since=yesterday&until=1x&outcome=maybe&action=i*m&pageSize=0&nextToken=abc"))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.InvalidParameter);
        problem.Errors.Select(e => e.Field).ShouldBe(["since", "until", "action", "outcome", "pageSize"], ignoreOrder: true);
        (await (await _admin.GetAsync("/v1/audit/events?nextToken=abc")).ShouldBeProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.InvalidParameter))
            .Errors.Single().Field.ShouldBe("nextToken");
        (await (await _admin.GetAsync("/v1/audit/events:export?since=later")).ShouldBeProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.InvalidParameter))
            .Errors.Single().Field.ShouldBe("since");
    }

    [Fact]
    public async Task Pages_are_newest_first_and_never_skip_or_repeat_while_events_are_added()
    {
        for (var i = 0; i < 7; i++)
        {
            await _admin.GetAsync("/v1/sts/caller-identity");
        }

        var seen = new List<AuditEventDto>();
        string? token = null;
        do
        {
            var page = await (await _admin.GetAsync("/v1/audit/events?action=sts:GetCallerIdentity&pageSize=2" + (token is null ? "" : "&nextToken=" + token))).ShouldBeOkAsync<PageDto<AuditEventDto>>();
            page.Items.Count.ShouldBeLessThanOrEqualTo(2);
            seen.AddRange(page.Items);
            token = page.NextToken;

            // Newer events must not show up in later pages.
            await _admin.GetAsync("/v1/sts/caller-identity");
        }
        while (token is not null);

        seen.Count.ShouldBe(7);
        seen.Select(e => e.EventId).Distinct().Count().ShouldBe(7);
        seen.Select(e => e.Time).ShouldBe(seen.Select(e => e.Time).OrderByDescending(t => t));
    }

    [Fact]
    public async Task Export_streams_every_matching_event_as_json_lines()
    {
        for (var i = 0; i < 3; i++)
        {
            await _admin.GetAsync("/v1/demo/widgets");
        }

        var response = await _admin.GetAsync("/v1/audit/events:export?action=demo:*");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/x-ndjson");
        var text = await response.Content.ReadAsStringAsync();
        text.ShouldEndWith("\n");
        var lines = text.TrimEnd('\n').Split('\n');
        lines.Length.ShouldBe(3);
        foreach (var line in lines)
        {
            var e = JsonSerializer.Deserialize<AuditEventDto>(line, NimbusJson.Options)!;
            e.Action.ShouldBe("demo:ListWidgets");
        }

        var exportRecord = (await AllEventsAsync(_admin, "&action=audit:ExportEvents")).Single();
        exportRecord.Status.ShouldBe(200);
        exportRecord.Outcome.ShouldBe(AuditOutcomes.Allowed);
    }

    [Theory]
    [InlineData("PUT", "/v1/audit/events")]
    [InlineData("DELETE", "/v1/audit/events")]
    [InlineData("PATCH", "/v1/audit/events")]
    [InlineData("POST", "/v1/audit/events")]
    [InlineData("PUT", "/v1/audit/events:export")]
    [InlineData("DELETE", "/v1/audit/events:export")]
    public async Task No_api_modifies_or_deletes_events(string method, string path)
    {
        await _admin.GetAsync("/v1/sts/caller-identity");
        var before = await AllEventsAsync(_admin, "&action=sts:GetCallerIdentity");
        var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        await (await _admin.SendAsync(request)).ShouldBeProblemAsync(HttpStatusCode.MethodNotAllowed, ErrorCodes.MethodNotAllowed);
        (await AllEventsAsync(_admin, "&action=sts:GetCallerIdentity")).Select(e => e.EventId + e.Status + e.Outcome).ShouldBe(before.Select(e => e.EventId + e.Status + e.Outcome));
    }
}
