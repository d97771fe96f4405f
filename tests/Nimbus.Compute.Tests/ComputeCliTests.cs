using System.Text.RegularExpressions;
using Nimbus.Cli;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Compute.Tests;

/// <summary><c>nimbus compute ...</c> against a real server, and the worked example of docs/compute.md, command by command.</summary>
public sealed partial class ComputeCliTests : NetworkHostTest
{
    private Task<(int ExitCode, string Stdout, string Stderr)> CliAsync(params string[] args) => Server.RunCliAsync(Home.Path, args);

    [Fact]
    public async Task The_worked_example_of_the_compute_docs_runs_as_written()
    {
        var (script, steps) = ReadWorkedExample();
        var userData = Path.Combine(Home.Path, "init.sh");
        await File.WriteAllTextAsync(userData, script);
        var image = await Server.WaitForBusyboxAsync();
        string? id = null;
        foreach (var (command, expected) in steps)
        {
            var args = Regex.Split(command, " +").Skip(1).Select(a => a == "init.sh" ? userData : a == "<id>" ? id! : a).ToArray();
            // The user data writes its lines while `--wait` has already returned: the console is read until it holds
            // them all (or 15 s passed), as a user would look again; the assertions below judge the last read.
            var (code, stdout, stderr) = command.Contains(" console ", StringComparison.Ordinal)
                ? await ReadUntilAsync(args, string.Join('\n', expected) + "\n", command)
                : await CliAsync(args);
            code.ShouldBe(0, $"{command}\n{stdout}\n{stderr}");
            var actual = (stderr + stdout).Split('\n').Select(l => l.TrimEnd()).ToList();
            id ??= actual.Select(l => InstanceId().Match(l)).FirstOrDefault(m => m.Success)?.Value;
            foreach (var line in expected)
            {
                var pattern = "^" + Regex.Replace(Regex.Escape(line), @"(\\ )+", @"\s+")
                    .Replace("<id>", Regex.Escape(id ?? "i-"), StringComparison.Ordinal)
                    .Replace("<image-id>", Regex.Escape(image.Id), StringComparison.Ordinal)
                    .Replace("<time>", @"\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ", StringComparison.Ordinal)
                    .Replace("<size>", @"[0-9.]+ [KM]iB", StringComparison.Ordinal)
                    .Replace("<ip>", @"\d+\.\d+\.\d+\.\d+", StringComparison.Ordinal)
                    .Replace("<account>", @"\d{12}", StringComparison.Ordinal) + "$";
                actual.ShouldContain(l => Regex.IsMatch(l, pattern), $"`{command}` should print a line like\n{line}\nbut printed\n{string.Join('\n', actual)}");
            }

            if (command.Contains(" console ", StringComparison.Ordinal))
            {
                stdout.ShouldBe(string.Join('\n', expected) + "\n");
            }
        }

        id.ShouldNotBeNull();
        (await Server.Client.Compute.Instances.GetAsync(id)).Status.Phase.ShouldBe("terminated");
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> ReadUntilAsync(string[] args, string want, string what)
    {
        try
        {
            return await Poll.UntilAsync(() => CliAsync(args), r => r.Stdout == want, TimeSpan.FromSeconds(15), what);
        }
        catch (TimeoutException)
        {
            return await CliAsync(args);
        }
    }

    [Fact]
    public async Task Cli_reports_bad_input_before_calling_the_server()
    {
        var big = Path.Combine(Home.Path, "big.sh");
        await File.WriteAllTextAsync(big, new string('x', 16 * 1024 + 1));
        var (code, _, stderr) = await CliAsync("compute", "instance", "run", "--image", "busybox", "--type", "n1.micro", "--user-data-file", big);
        code.ShouldBe(2);
        stderr.ShouldContain("16 KiB");

        (code, _, stderr) = await CliAsync("compute", "instance", "modify", "i-000000000000");
        code.ShouldBe(2);
        stderr.ShouldContain("Nothing to modify");

        (code, _, stderr) = await CliAsync("compute", "instance", "get", "i-000000000000");
        code.ShouldBe(1);
        stderr.ShouldContain("NotFound");

        (code, _, stderr) = await CliAsync("compute", "instance", "run", "--image", "busybox", "--type", "zz.top");
        code.ShouldBe(1);
        stderr.ShouldContain("InvalidParameter");
        (await Server.Client.Compute.Instances.ListAsync()).Items.ShouldBeEmpty();
    }

    [Fact]
    public async Task Run_takes_the_workload_after_a_double_dash()
    {
        var (code, stdout, stderr) = await CliAsync(
            "compute", "instance", "run", "--image", "busybox", "--type", "n1.micro", "--name", "cmd", "--env", "GREETING=hi there", "--wait", "--", "sh", "-c", "echo $GREETING from the command; sleep 1000");
        code.ShouldBe(0, stderr);
        var id = InstanceId().Match(stdout).Value;
        await Poll.UntilAsync(async () => (await Server.Client.Compute.Instances.GetConsoleOutputAsync(id)).Output, o => o.Contains("hi there from the command\n", StringComparison.Ordinal));
        (code, stdout, _) = await CliAsync("compute", "instance", "get", id, "-o", "json");
        code.ShouldBe(0);
        stdout.ShouldContain("\"command\": [");
        (code, stdout, _) = await CliAsync("compute", "instance", "stats", id);
        code.ShouldBe(0);
        stdout.ShouldContain("processes");
        stdout.ShouldContain("net lo rx/tx");
    }

    [Fact]
    public async Task Run_with_an_iam_role_as_the_compute_docs_show_and_get_shows_the_private_ip()
    {
        var trust = Path.Combine(Home.Path, "trust.json");
        await File.WriteAllTextAsync(trust, """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"compute.nimbus"},"Action":"sts:AssumeRole"}]}""");
        var (code, stdout, stderr) = await CliAsync("iam", "role", "create", "--name", "app-role", "--trust-policy", trust);
        code.ShouldBe(0, stderr);
        (code, stdout, stderr) = await CliAsync("compute", "instance", "run", "--image", "busybox", "--type", "n1.micro", "--name", "app", "--iam-role", "app-role", "--metadata-tokens", "required", "--wait");
        code.ShouldBe(0, stderr);
        var id = InstanceId().Match(stdout).Value;
        var ip = Nimbus.Sdk.Compute.InstancesClient.PrivateIpAddressOf(await Server.Client.Compute.Instances.GetAsync(id));
        ip.ShouldNotBeNull();
        (code, stdout, _) = await CliAsync("compute", "instance", "get", id);
        code.ShouldBe(0);
        stdout.ShouldContain(ip);
        (code, stdout, _) = await CliAsync("compute", "instance", "get", id, "-o", "json");
        stdout.ShouldContain("\"iamRoleName\": \"app-role\"");
        stdout.ShouldContain("\"metadataTokens\": \"required\"");
        stdout.ShouldContain($"\"privateIpAddress\": \"{ip}\"");

        (code, _, stderr) = await CliAsync("compute", "instance", "run", "--image", "busybox", "--type", "n1.micro", "--metadata-tokens", "sometimes");
        code.ShouldBe(1);
        stderr.ShouldContain("metadataTokens");
    }

    [Fact]
    public async Task Console_follow_prints_new_output_until_the_instance_is_terminated()
    {
        var (code, stdout, stderr) = await CliAsync(
            "compute", "instance", "run", "--image", "busybox", "--type", "n1.micro", "--name", "ticker", "--wait", "--output", "json");
        code.ShouldBe(0, stderr);
        var id = InstanceId().Match(stdout).Value;
        var follow = CliAsync("compute", "instance", "console", id, "--follow");

        // The instance says "tick" twice a second from now on, so the follower sees new output however long the CLI
        // takes to start on a loaded machine; it is terminated once the follower has had a few seconds of it.
        (await Host.ExecAsync(id, "sh", "-c", "(while true; do echo tick > /proc/1/fd/1; sleep 0.5; done) >/dev/null 2>&1 &")).ExitCode.ShouldBe(0);
        await Poll.UntilAsync(async () => (await Server.Client.Compute.Instances.GetConsoleOutputAsync(id)).Output, o => o.Contains("tick", StringComparison.Ordinal));
        await Task.Delay(TimeSpan.FromSeconds(5));
        await Server.Client.Compute.Instances.TerminateAsync(id);
        var (followCode, followed, followErrors) = await follow.WaitAsync(TimeSpan.FromSeconds(60));
        followCode.ShouldBe(0, followErrors);
        followed.ShouldContain("tick\n");
    }

    [Fact]
    public async Task Exec_streams_output_and_returns_the_command_s_exit_code()
    {
        var created = (await Server.Client.Compute.Instances.RunAsync(new Contracts.Compute.RunInstancesRequest { Image = "busybox", InstanceType = "n1.micro", Name = "shell" })).Single();
        await Server.Client.Compute.Instances.WaitForPhaseAsync(created.Id, "running", ComputeServer.Wait);

        var (code, stdout, stderr) = await CliAsync("compute", "instance", "exec", created.Id, "--", "sh", "-c", "echo hello; echo oops >&2; exit 4");
        code.ShouldBe(4);
        stdout.ShouldBe("hello\n");
        stderr.ShouldBe("oops\n");

        (code, stdout, stderr) = await CliAsync("compute", "instance", "exec", created.Id, "--", "hostname");
        code.ShouldBe(0, stderr);
        stdout.ShouldBe("shell\n");

        // -i sends standard input, and its end.
        var environment = new Dictionary<string, string>
        {
            ["HOME"] = Home.Path,
            ["NIMBUS_CONFIG_DIR"] = Home.Path,
            ["NIMBUS_ENDPOINT"] = Server.Server.Endpoint.ToString(),
            ["NIMBUS_ACCESS_KEY_ID"] = Server.Server.Admin.AccessKeyId,
            ["NIMBUS_SECRET_ACCESS_KEY"] = Server.Server.Admin.SecretAccessKey,
        };
        using var output = new StringWriter();
        using var errors = new StringWriter();
        var host = new CliHost { Stdout = output, Stderr = errors, Stdin = new StringReader("piped in\nand more\n"), Environment = environment };
        (await CliApp.RunAsync(["compute", "instance", "exec", created.Id, "-i", "--", "wc", "-l"], host)).ShouldBe(0, errors.ToString());
        output.ToString().Trim().ShouldBe("2");

        (code, _, stderr) = await CliAsync("compute", "instance", "exec", created.Id);
        code.ShouldBe(2);
        stderr.ShouldContain("Give the command after --");

        (code, _, stderr) = await CliAsync("compute", "instance", "exec", "i-000000000000", "--", "true");
        code.ShouldBe(1);
        stderr.ShouldContain("NotFound");
    }

    [Fact]
    public async Task Garbage_shows_the_last_check_and_runs_one_on_demand()
    {
        var (code, stdout, stderr) = await CliAsync("compute", "garbage", "--run");
        code.ShouldBe(0, stderr);
        stderr.ShouldContain("0 leak(s)");
        stdout.ShouldContain("KIND");

        var leaked = Path.Combine(Server.DataDirectory, "compute", "instances", "i-leakedleaked");
        Directory.CreateDirectory(leaked);
        try
        {
            (code, stdout, stderr) = await CliAsync("compute", "garbage", "--run");
            code.ShouldBe(0, stderr);
            stderr.ShouldContain("1 leak(s)");
            stdout.Split('\n').ShouldContain(l => Regex.IsMatch(l, @"^instance-directory\s+i-leakedleaked\s+" + Regex.Escape(leaked) + "$"));

            (code, stdout, _) = await CliAsync("compute", "garbage", "--output", "json");
            code.ShouldBe(0);
            stdout.ShouldContain("\"kind\": \"instance-directory\"");
        }
        finally
        {
            Directory.Delete(leaked);
        }
    }

    /// <summary>The ```sh block (init.sh) and the ```console block after "## Worked example" of docs/compute.md.</summary>
    private static (string Script, List<(string Command, List<string> Output)> Steps) ReadWorkedExample()
    {
        var lines = Repository.DocLines("compute.md");
        var start = Array.FindIndex(lines, l => l.StartsWith("## Worked example", StringComparison.Ordinal));
        start.ShouldBeGreaterThan(0);
        var sh = Array.IndexOf(lines, "```sh", start);
        var script = string.Join('\n', lines[(sh + 1)..Array.IndexOf(lines, "```", sh + 1)]) + "\n";
        var open = Array.IndexOf(lines, "```console", start);
        var close = Array.IndexOf(lines, "```", open + 1);
        var steps = new List<(string, List<string>)>();
        foreach (var line in lines[(open + 1)..close])
        {
            if (line.StartsWith("$ nimbus ", StringComparison.Ordinal))
            {
                steps.Add((line[2..], []));
            }
            else
            {
                steps[^1].Item2.Add(line);
            }
        }

        return (script, steps);
    }

    [GeneratedRegex(@"i-[0-9a-z]{12}")]
    private static partial Regex InstanceId();
}
