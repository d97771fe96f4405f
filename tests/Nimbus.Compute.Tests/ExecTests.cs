using System.Text;
using Nimbus.Contracts.Compute;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk;
using Nimbus.Sdk.Compute;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Compute.Tests;

/// <summary>Exec over the API's WebSocket: output, exit codes, input, a terminal, refusals, IAM and audit.</summary>
public sealed class ExecTests : IAsyncLifetime
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(20);
    private static readonly Func<string, bool> AlwaysFalse = _ => false;
    private ComputeServer _server = null!;
    private ResourceDto _instance = null!;

    private InstancesClient Instances => _server.Client.Compute.Instances;

    public async Task InitializeAsync()
    {
        Prerequisites.RequireRuncHost();
        _server = await ComputeServer.StartAsync();
        var created = (await Instances.RunAsync(new RunInstancesRequest { Image = "busybox", InstanceType = "n1.micro", Name = "exec-target" })).Single();
        _instance = await Instances.WaitForPhaseAsync(created.Id, InstancesClient.RunningPhase, ComputeServer.Wait);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Exec_returns_output_and_exit_code_with_stderr_separate()
    {
        var result = await Instances.RunCommandAsync(_instance.Id, ["sh", "-c", "echo out; echo err >&2; hostname; exit 3"]);
        result.ExitCode.ShouldBe(3);
        result.Stdout.ShouldBe("out\nexec-target\n");
        result.Stderr.ShouldBe("err\n");

        (await Instances.RunCommandAsync(_instance.Id, ["true"])).ExitCode.ShouldBe(0);
        var missing = await Instances.RunCommandAsync(_instance.Id, ["/no/such/program"]);
        missing.ExitCode.ShouldBe(127);
        missing.Stderr.ShouldContain("/no/such/program");
    }

    [Fact]
    public async Task Stdin_is_piped_through_and_its_end_reaches_the_command()
    {
        var input = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 5000).Select(i => $"line {i}\n")));
        var result = await Instances.RunCommandAsync(_instance.Id, ["cat"], input);
        result.ExitCode.ShouldBe(0);
        result.Stdout.ShouldBe(Encoding.UTF8.GetString(input));

        (await Instances.RunCommandAsync(_instance.Id, ["wc", "-l"], Encoding.UTF8.GetBytes("a\nb\nc\n"))).Stdout.Trim().ShouldBe("3");
    }

    [Fact]
    public async Task A_signal_becomes_128_plus_its_number()
    {
        (await Instances.RunCommandAsync(_instance.Id, ["sh", "-c", "kill -TERM $$"])).ExitCode.ShouldBe(128 + 15);
    }

    [Fact]
    public async Task Tty_runs_an_interactive_shell_on_a_pseudo_terminal_that_follows_resizes()
    {
        await using var session = await Instances.ExecAsync(_instance.Id, new ExecOptions { Command = ["sh"], Tty = true, Stdin = true, Rows = 24, Columns = 80 });
        var screen = new StringBuilder();
        await session.WriteInputAsync("tty\n"u8.ToArray());
        await ReadUntilAsync(session, screen, s => s.Contains("/dev/pts/", StringComparison.Ordinal));
        await session.WriteInputAsync("stty size\n"u8.ToArray());
        await ReadUntilAsync(session, screen, s => s.Contains("24 80", StringComparison.Ordinal));

        await session.ResizeAsync(33, 111);
        await session.WriteInputAsync("stty size\n"u8.ToArray());
        await ReadUntilAsync(session, screen, s => s.Contains("33 111", StringComparison.Ordinal));

        await session.WriteInputAsync("exit 5\n"u8.ToArray());
        await ReadUntilAsync(session, screen, AlwaysFalse);
        session.ExitCode.ShouldBe(5);
    }

    [Fact]
    public async Task Closing_the_session_ends_the_command()
    {
        var session = await Instances.ExecAsync(_instance.Id, new ExecOptions { Command = ["sleep", "1234"] });
        await Poll.UntilAsync(() => Host.ExecAsync(_instance.Id, "ps"), p => p.Stdout.Contains("sleep 1234", StringComparison.Ordinal), what: "the exec'd sleep runs");
        await session.DisposeAsync();
        await Poll.UntilAsync(() => Host.ExecAsync(_instance.Id, "ps"), p => !p.Stdout.Contains("sleep 1234", StringComparison.Ordinal), what: "the exec'd sleep ended with its session");
    }

    [Fact]
    public async Task Bad_exec_requests_get_clear_errors()
    {
        (await Should.ThrowAsync<NimbusApiException>(() => Instances.ExecAsync("i-000000000000", new ExecOptions { Command = ["true"] }))).Code.ShouldBe("NotFound");
        var empty = await Should.ThrowAsync<NimbusApiException>(() => Instances.ExecAsync(_instance.Id, new ExecOptions { Command = [] }));
        empty.Code.ShouldBe("InvalidParameter");
        empty.Message.ShouldContain("command");
        (await Should.ThrowAsync<NimbusApiException>(() => Instances.ExecAsync(_instance.Id, new ExecOptions { Command = [""] }))).Code.ShouldBe("InvalidParameter");

        // A plain GET (no upgrade) is told what to do instead.
        var plain = await Should.ThrowAsync<NimbusApiException>(() => _server.Client.SendAsync(HttpMethod.Get, $"/v1/compute/instances/{_instance.Id}/exec?command=true"));
        plain.Code.ShouldBe("InvalidParameter");
        plain.Message.ShouldContain("WebSocket");

        // Too many sessions at once on one instance.
        var open = new List<ExecSession>();
        try
        {
            for (var i = 0; i < 8; i++)
            {
                open.Add(await Instances.ExecAsync(_instance.Id, new ExecOptions { Command = ["sleep", "60"] }));
            }

            (await Should.ThrowAsync<NimbusApiException>(() => Instances.ExecAsync(_instance.Id, new ExecOptions { Command = ["true"] }))).Code.ShouldBe("LimitExceeded");
        }
        finally
        {
            foreach (var session in open)
            {
                await session.DisposeAsync();
            }
        }

        // Slots come back when sessions end.
        await Poll.UntilAsync(
            async () => await TryRunAsync(),
            ok => ok,
            what: "an exec slot free again");

        // Not running.
        var stopping = await Instances.StopAsync(_instance.Id, force: true);
        await Instances.WaitForPhaseAsync(_instance.Id, InstancesClient.StoppedPhase, ComputeServer.Wait, stopping.Version);
        (await Should.ThrowAsync<NimbusApiException>(() => Instances.ExecAsync(_instance.Id, new ExecOptions { Command = ["true"] }))).Code.ShouldBe("IncorrectInstanceState");
        var started = await Instances.StartAsync(_instance.Id);
        await Instances.WaitForPhaseAsync(_instance.Id, InstancesClient.RunningPhase, ComputeServer.Wait, started.Version);
    }

    [Fact]
    public async Task Exec_needs_compute_ExecInstance_and_is_audited_with_its_command_but_not_its_streams()
    {
        var user = await _server.Client.Iam.Users.CreateAsync(new Contracts.Iam.CreateUserRequest { Name = "reader" });
        await _server.Client.Iam.Users.AttachPolicyAsync(user.Id, "ComputeReadOnlyAccess");
        var key = await _server.Client.Iam.AccessKeys.CreateAsync("reader");
        using var reader = new NimbusClient(_server.Client.Options with { Credentials = new Contracts.Signing.SigV4Credentials(key.AccessKey.AccessKeyId, key.SecretAccessKey) });
        (await reader.Compute.Instances.GetAsync(_instance.Id)).Id.ShouldBe(_instance.Id);
        var denied = await Should.ThrowAsync<NimbusApiException>(() => reader.Compute.Instances.ExecAsync(_instance.Id, new ExecOptions { Command = ["id"] }));
        denied.Code.ShouldBe("AccessDenied");
        denied.Message.ShouldContain("compute:ExecInstance");

        var result = await Instances.RunCommandAsync(_instance.Id, ["sh", "-c", "cat; echo printed-s3cr3t"], "typed-s3cr3t\n"u8.ToArray());
        result.Stdout.ShouldBe("typed-s3cr3t\nprinted-s3cr3t\n");

        var events = await Poll.UntilAsync(
            async () => (await _server.Client.Audit.ListEventsAsync(new Nimbus.Sdk.Audit.AuditEventFilter { Action = "compute:ExecInstance" })).Items,
            items => items.Any(e => e.Outcome == "allowed") && items.Any(e => e.Outcome == "denied"),
            what: "exec audit records");
        var allowed = events.Single(e => e.Outcome == "allowed");
        allowed.Resources.ShouldBe([$"nrn:nimbus:compute:local:{_instance.Account}:instance/{_instance.Id}"]);
        var parameters = allowed.RequestParameters!.Value.GetRawText();
        parameters.ShouldContain("\"command\":[\"sh\",\"-c\",\"cat; echo printed-s3cr3t\"]");
        parameters.ShouldContain("\"stdin\":true");
        parameters.ShouldNotContain("typed-s3cr3t");
        events.Single(e => e.Outcome == "denied").UserName.ShouldBe("reader");
    }

    private async Task<bool> TryRunAsync()
    {
        try
        {
            return (await Instances.RunCommandAsync(_instance.Id, ["true"])).ExitCode == 0;
        }
        catch (NimbusApiException ex) when (ex.Code == "LimitExceeded")
        {
            return false;
        }
    }

    /// <summary>Reads the terminal until <paramref name="done"/> holds (fails if the session ends first), or to the end with <c>_ => false</c>.</summary>
    private static async Task ReadUntilAsync(ExecSession session, StringBuilder screen, Func<string, bool> done)
    {
        using var timeout = new CancellationTokenSource(ReadTimeout);
        var toEnd = done == AlwaysFalse;
        while (!done(screen.ToString()))
        {
            var output = await session.ReadAsync(timeout.Token);
            if (output is null)
            {
                toEnd.ShouldBeTrue($"the session ended before the expected output; the terminal showed:\n{screen}");
                return;
            }

            output.Stream.ShouldBe(ExecStream.Stdout);
            screen.Append(Encoding.UTF8.GetString(output.Data.Span));
        }
    }
}
