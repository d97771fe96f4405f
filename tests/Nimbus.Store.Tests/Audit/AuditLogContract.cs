using Microsoft.Extensions.Logging.Abstractions;
using Nimbus.Core.Audit;
using Nimbus.Core.Errors;
using Shouldly;
using Xunit;

namespace Nimbus.Store.Tests.Audit;

/// <summary>The behaviour every <see cref="IAuditLog"/> engine must have, each test on fresh storage.</summary>
public abstract class AuditLogContract : IAsyncLifetime
{
    protected const string Account = "123456789012";
    protected const string OtherAccount = "210987654321";

    /// <summary>Sub-millisecond ticks, so that truncation anywhere shows.</summary>
    protected static readonly DateTimeOffset T0 = new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero).AddTicks(1234567);

    private IAuditLog? _log;

    protected IAuditLog Log => _log ?? throw new InvalidOperationException("The log is not open.");

    protected static CancellationToken Ct => CancellationToken.None;

    protected abstract IAuditLog CreateLog();

    protected virtual Task PrepareStorageAsync() => Task.CompletedTask;

    protected virtual Task RemoveStorageAsync() => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        await PrepareStorageAsync();
        _log = CreateLog();
        await _log.InitializeAsync(Ct);
    }

    public async Task DisposeAsync()
    {
        if (_log is not null)
        {
            await _log.DisposeAsync();
        }

        await RemoveStorageAsync();
    }

    protected static AuditEvent Event(int n, string account = Account, string user = "alice", string action = "demo:GetWidget", string outcome = "allowed", DateTimeOffset? time = null) => new()
    {
        Time = time ?? T0.AddSeconds(n),
        RequestId = $"req-{n}",
        Account = account,
        Principal = $"nrn:nimbus:iam::{account}:user/usr-{user}",
        UserName = user,
        AccessKeyId = "NKIAEXAMPLE" + n,
        SourceIp = "127.0.0.1",
        UserAgent = "test/1.0",
        Method = "GET",
        Path = $"/v1/demo/widgets/wdg-{n}",
        Action = action,
        Resources = [$"nrn:nimbus:demo:local:{account}:widget/wdg-{n}"],
        Outcome = outcome,
        Status = outcome == "allowed" ? 200 : 403,
        ErrorCode = outcome == "allowed" ? null : "AccessDenied",
    };

    private async Task<List<AuditEvent>> AllAsync(AuditQuery query)
    {
        var all = new List<AuditEvent>();
        string? token = null;
        do
        {
            var page = await Log.QueryAsync(query with { PageToken = token }, Ct);
            all.AddRange(page.Items);
            token = page.NextPageToken;
        }
        while (token is not null);
        return all;
    }

    [Fact]
    public async Task Appended_events_read_back_exactly_newest_first()
    {
        var write = Event(1) with
        {
            SessionName = "ci-session",
            Method = "POST",
            Resources = ["nrn:a", "nrn:b"],
            RequestParameters = """{"name":"ñ","password":"***REDACTED***"}""",
        };
        var anonymous = new AuditEvent { Time = T0.AddSeconds(2), RequestId = "req-anon", Method = "GET", Path = "/v1/x", Outcome = "denied", Status = 401, ErrorCode = "MissingAuthentication" };
        await Log.AppendAsync([write, anonymous], Ct);

        var page = await Log.QueryAsync(new AuditQuery(), Ct);
        page.NextPageToken.ShouldBeNull();
        page.Items.Count.ShouldBe(2);
        page.Items[0].ShouldBe(anonymous with { Sequence = page.Items[0].Sequence, Resources = page.Items[0].Resources });
        page.Items[0].Resources.ShouldBeEmpty();
        var read = page.Items[1];
        read.Sequence.ShouldBeGreaterThan(0);
        read.ShouldBe(write with { Sequence = read.Sequence, Resources = read.Resources });
        read.Resources.ShouldBe(["nrn:a", "nrn:b"]);
        read.Time.ShouldBe(T0.AddSeconds(1));
    }

    [Fact]
    public async Task Filters_match_account_time_principal_action_resource_and_outcome()
    {
        await Log.AppendAsync(
        [
            Event(1),
            Event(2, user: "bob", action: "iam:ListAccessKeys"),
            Event(3, outcome: "denied"),
            Event(4, account: OtherAccount, action: "iam:CreateAccessKey"),
            Event(5, action: "iamx:Other"),
        ], Ct);

        async Task<string[]> Ids(AuditQuery q) => [.. (await AllAsync(q)).Select(e => e.RequestId)];

        (await Ids(new AuditQuery())).ShouldBe(["req-5", "req-4", "req-3", "req-2", "req-1"]);
        (await Ids(new AuditQuery { Account = Account })).ShouldBe(["req-5", "req-3", "req-2", "req-1"]);
        (await Ids(new AuditQuery { Since = T0.AddSeconds(2), Until = T0.AddSeconds(4) })).ShouldBe(["req-3", "req-2"]);
        (await Ids(new AuditQuery { Principal = "bob" })).ShouldBe(["req-2"]);
        (await Ids(new AuditQuery { Principal = $"nrn:nimbus:iam::{OtherAccount}:user/usr-alice" })).ShouldBe(["req-4"]);
        (await Ids(new AuditQuery { Action = "iam:*" })).ShouldBe(["req-4", "req-2"]);
        (await Ids(new AuditQuery { Action = "IAM:*" })).ShouldBeEmpty();
        (await Ids(new AuditQuery { Action = "demo:GetWidget" })).ShouldBe(["req-3", "req-1"]);
        (await Ids(new AuditQuery { Resource = $"nrn:nimbus:demo:local:{Account}:widget/wdg-3" })).ShouldBe(["req-3"]);
        (await Ids(new AuditQuery { Resource = $"nrn:nimbus:demo:local:{Account}:widget/wdg" })).ShouldBeEmpty();
        (await Ids(new AuditQuery { Outcome = "denied" })).ShouldBe(["req-3"]);
        (await Ids(new AuditQuery { Account = Account, Action = "iam:*", Principal = "bob", Outcome = "allowed" })).ShouldBe(["req-2"]);
    }

    [Fact]
    public async Task Paging_is_stable_while_events_are_appended_and_times_tie()
    {
        // Ten events at the same instant: order falls back to append order.
        await Log.AppendAsync([.. Enumerable.Range(1, 10).Select(n => Event(n, time: T0))], Ct);
        var seen = new List<string>();
        var query = new AuditQuery { PageSize = 3 };
        string? token = null;
        var extra = 100;
        do
        {
            var page = await Log.QueryAsync(query with { PageToken = token }, Ct);
            page.Items.Count.ShouldBeLessThanOrEqualTo(3);
            seen.AddRange(page.Items.Select(e => e.RequestId));
            token = page.NextPageToken;
            await Log.AppendAsync([Event(extra++, time: T0.AddHours(1))], Ct);
        }
        while (token is not null);

        seen.ShouldBe(Enumerable.Range(1, 10).Reverse().Select(n => $"req-{n}"));
    }

    [Fact]
    public async Task A_foreign_page_token_is_invalid_parameter()
    {
        var ex = await Should.ThrowAsync<NimbusException>(() => Log.QueryAsync(new AuditQuery { PageToken = "AAAA" }, Ct));
        ex.Status.ShouldBe(400);
        ex.FieldErrors.Single().Field.ShouldBe("nextToken");
    }

    // 37 rows: two whole groups of the SQLite writer's multi-row insert and five single rows, with empty,
    // missing, non-ASCII and JSON-escaped text in every position of a group.
    [Fact]
    public async Task A_large_batch_reads_back_exactly_and_in_order()
    {
        var written = Enumerable.Range(1, 37).Select(n => Event(n) with
        {
            UserAgent = (n % 4) switch { 0 => null, 1 => "", 2 => "aws-cli/2 \"ü\"", _ => "test/1.0" },
            SessionName = n % 5 == 0 ? "" : null,
            Resources = (n % 3) switch
            {
                0 => [],
                1 => [$"nrn:nimbus:s3:::bucket/key-{n} with space+plus<&>\"quote\"\\ñ"],
                _ => [$"nrn:nimbus:s3:::bucket/k{n}", "nrn:b"],
            },
            RequestParameters = n % 2 == 0 ? $$"""{"n":{{n}}}""" : null,
            ErrorCode = n % 7 == 0 ? "" : null,
        }).ToList();
        await Log.AppendAsync(written, Ct);

        var read = await AllAsync(new AuditQuery { PageSize = 10 });
        read.Count.ShouldBe(37);
        read.Select(e => e.RequestId).ShouldBe(written.Select(e => e.RequestId).Reverse());
        read.Select(e => e.Sequence).ShouldBe(read.Select(e => e.Sequence).OrderDescending());
        foreach (var (expected, actual) in written.Zip(Enumerable.Reverse(read)))
        {
            actual.Resources.ShouldBe(expected.Resources);
            actual.ShouldBe(expected with { Sequence = actual.Sequence, Resources = actual.Resources });
        }

        (await AllAsync(new AuditQuery { Resource = "nrn:nimbus:s3:::bucket/k5" })).Select(e => e.RequestId).ShouldBe(["req-5"]);
    }

    [Fact]
    public async Task Retention_removes_only_older_events()
    {
        await Log.AppendAsync([Event(1), Event(2), Event(3)], Ct);
        (await Log.PruneOlderThanAsync(T0.AddSeconds(3), Ct)).ShouldBe(2);
        (await AllAsync(new AuditQuery())).Select(e => e.RequestId).ShouldBe(["req-3"]);
        (await Log.PruneOlderThanAsync(T0.AddSeconds(3), Ct)).ShouldBe(0);
    }

    [Fact]
    public async Task Events_survive_reopening_and_initialize_is_idempotent()
    {
        await Log.AppendAsync([Event(1)], Ct);
        await Log.DisposeAsync();
        await using var reopened = CreateLog();
        await reopened.InitializeAsync(Ct);
        await reopened.InitializeAsync(Ct);
        (await reopened.QueryAsync(new AuditQuery(), Ct)).Items.Single().RequestId.ShouldBe("req-1");
        await reopened.AppendAsync([Event(2)], Ct);
        (await reopened.QueryAsync(new AuditQuery(), Ct)).Items.Select(e => e.RequestId).ShouldBe(["req-2", "req-1"]);
    }

    [Fact]
    public async Task The_trail_drains_every_queued_record_through_a_tiny_queue()
    {
        var trail = new AuditTrail(Log, new AuditOptions { QueueCapacity = 2, MaxBatchSize = 7 }, NullLogger<AuditTrail>.Instance);
        await trail.StartAsync(Ct);
        await Task.WhenAll(Enumerable.Range(1, 200).Select(n => trail.RecordAsync(Event(n)).AsTask()));
        await trail.FlushAsync(Ct);
        trail.Written.ShouldBe(200);
        await trail.StopAsync();
        (await AllAsync(new AuditQuery { PageSize = 1000 })).Count.ShouldBe(200);
    }
}
