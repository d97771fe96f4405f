using System.Text.RegularExpressions;
using Shouldly;
using Xunit;

namespace Nimbus.Compute.Tests;

/// <summary>The security group example of docs/network.md, command by command, with the traffic it describes checked from the host.</summary>
public sealed partial class SecurityGroupCliTests : NetworkHostTest
{
    [Fact]
    public async Task The_security_group_example_of_the_network_docs_runs_as_written()
    {
        await Server.WaitForBusyboxAsync();
        string? group = null, instance = null, ip = null;
        foreach (var (command, expected) in ReadExample())
        {
            var args = Regex.Split(command, " +").Skip(1).Select(a => a == "<id>" ? instance! : a).ToArray();
            var (code, stdout, stderr) = await CliAsync(args);
            var fails = expected.Any(l => l.StartsWith("error: ", StringComparison.Ordinal));
            (code == 0).ShouldBe(!fails, $"{command}\n{stdout}\n{stderr}");
            var actual = (stderr + stdout).Split('\n').Select(l => l.TrimEnd()).ToList();
            group ??= actual.Select(l => GroupId().Match(l)).FirstOrDefault(m => m.Success)?.Value;
            instance ??= actual.Select(l => InstanceId().Match(l)).FirstOrDefault(m => m.Success)?.Value;
            foreach (var line in expected)
            {
                var pattern = "^" + Regex.Replace(Regex.Escape(line), @"(\\ )+", @"\s+")
                    .Replace("<sg>", Regex.Escape(group ?? "sg-"), StringComparison.Ordinal)
                    .Replace("<rule>", "sgr-[a-z0-9]+", StringComparison.Ordinal)
                    .Replace("<id>", Regex.Escape(instance ?? "i-"), StringComparison.Ordinal)
                    .Replace("<image-id>", "img-[a-z0-9]+", StringComparison.Ordinal)
                    .Replace("<time>", @"\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ", StringComparison.Ordinal)
                    .Replace("<ip>", @"\d+\.\d+\.\d+\.\d+", StringComparison.Ordinal) + "$";
                actual.ShouldContain(l => Regex.IsMatch(l, pattern), $"`{command}` should print a line like\n{line}\nbut printed\n{string.Join('\n', actual)}");
            }

            // What the page says of the traffic: the host gets in on 80 while the rule is there, not after the revoke.
            if (command.Contains(" instance run ", StringComparison.Ordinal))
            {
                ip = Nimbus.Sdk.Compute.InstancesClient.PrivateIpAddressOf(await Server.Client.Compute.Instances.GetAsync(instance!))!;
                (await Poll.UntilAsync(() => FetchAsync(ip), r => !r.StartsWith("error", StringComparison.Ordinal), what: "httpd through the web group")).ShouldNotStartWith("error");
            }
            else if (command.Contains(" revoke-ingress ", StringComparison.Ordinal))
            {
                (await FetchAsync(ip!)).ShouldStartWith("error");
            }
        }

        group.ShouldNotBeNull();
        ip.ShouldNotBeNull();
    }

    [Fact]
    public async Task Cli_refuses_a_revoke_that_matches_no_rule_and_a_bad_port()
    {
        var (code, _, stderr) = await CliAsync("network", "security-group", "authorize-ingress", "default", "--protocol", "tcp", "--port", "80-x", "--cidr", "0.0.0.0/0");
        code.ShouldBe(2);
        stderr.ShouldContain("--port 80-x is not a port or a range");
        (code, _, stderr) = await CliAsync("network", "security-group", "revoke-ingress", "default", "--protocol", "udp", "--port", "53", "--cidr", "0.0.0.0/0");
        code.ShouldBe(2);
        stderr.ShouldContain("has no such ingress rule");
        (code, _, stderr) = await CliAsync("network", "security-group", "authorize-egress", "default", "--protocol", "tcp", "--cidr", "0.0.0.0/0");
        code.ShouldBe(1);
        stderr.ShouldContain("InvalidParameter");
        stderr.ShouldContain("fromPort: is required for tcp");
    }

    private static async Task<string> FetchAsync(string ip)
    {
        var (code, stdout, stderr) = await Host.RunAsync("curl", ["-sS", "--max-time", "2", $"http://{ip}/"]);
        return code == 0 ? stdout : "error: " + stderr;
    }

    private Task<(int ExitCode, string Stdout, string Stderr)> CliAsync(params string[] args) => Server.RunCliAsync(Home.Path, args);

    private static List<(string Command, List<string> Output)> ReadExample() =>
        Repository.ConsoleExample("network.md", "## Security groups", minSteps: 6);

    [GeneratedRegex(@"\bsg-[a-z0-9]{12}\b")]
    private static partial Regex GroupId();

    [GeneratedRegex(@"\bi-[a-z0-9]{12}\b")]
    private static partial Regex InstanceId();
}
