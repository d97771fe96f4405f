using System.Text.Json;
using System.Text.RegularExpressions;
using Nimbus.Cli.Tests.Fakes;
using Nimbus.Testing;
using Shouldly;
using Xunit;

namespace Nimbus.Cli.Tests.EndToEnd;

/// <summary><c>nimbus network vpc|subnet ...</c> against a real server: the example of docs/network.md as written, json output, bad input.</summary>
public sealed partial class NetworkCliTests : IAsyncLifetime
{
    private NimbusServer _server = null!;
    private CliRun _cli = null!;

    public async Task InitializeAsync()
    {
        _server = await NimbusServer.StartAsync();
        _cli = new CliRun(handler: null, withCredentials: false);
        var configure = await _cli.RunAsync(["configure", "--from-bootstrap", _server.DataDirectory]);
        configure.ExitCode.ShouldBe(0, configure.ToString());
    }

    public async Task DisposeAsync()
    {
        _cli.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task The_vpc_and_subnet_example_of_the_network_docs_runs_as_written()
    {
        string? vpc = null;
        var subnets = new Dictionary<string, string>(StringComparer.Ordinal);
        var steps = ReadExample();
        steps.Count.ShouldBeGreaterThan(10);
        foreach (var (command, expected) in steps)
        {
            var args = Regex.Split(command, " +").Skip(1).Select(a => a switch
            {
                "<vpc>" => vpc ?? throw new InvalidOperationException($"`{command}` names <vpc> before the example made it"),
                "<web>" or "<app>" => subnets.GetValueOrDefault(a[1..^1]) ?? throw new InvalidOperationException($"`{command}` names {a} before the example made it"),
                _ => a,
            }).ToArray();
            var result = await _cli.RunAsync(args);
            var fails = expected.Any(l => l.StartsWith("error: ", StringComparison.Ordinal));
            result.ExitCode.ShouldBe(fails ? 1 : 0, $"{command}\n{result}");
            var actual = (result.Stderr + result.Stdout).Split('\n').Select(l => l.TrimEnd()).ToList();
            if (!fails && args[..3].SequenceEqual(["network", "vpc", "create"]))
            {
                vpc ??= VpcId().Match(result.Stdout).Value;
            }

            if (!fails && args[..3].SequenceEqual(["network", "subnet", "create"]))
            {
                subnets[args[Array.IndexOf(args, "--name") + 1]] = SubnetId().Match(result.Stdout).Value;
            }

            foreach (var line in expected)
            {
                var pattern = "^" + Regex.Replace(Regex.Escape(line), @"(\\ )+", @"\s+")
                    .Replace("<vpc>", "vpc-[a-z0-9]{12}", StringComparison.Ordinal)
                    .Replace("<subnet>", "subnet-[a-z0-9]{12}", StringComparison.Ordinal)
                    .Replace("<web>", Regex.Escape(subnets.GetValueOrDefault("web") ?? "subnet-"), StringComparison.Ordinal)
                    .Replace("<app>", Regex.Escape(subnets.GetValueOrDefault("app") ?? "subnet-"), StringComparison.Ordinal)
                    .Replace("<time>", @"\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ", StringComparison.Ordinal) + "$";
                actual.ShouldContain(l => Regex.IsMatch(l, pattern), $"`{command}` should print a line like\n{line}\nbut printed\n{string.Join('\n', actual)}");
            }
        }

        vpc.ShouldNotBeNull();
        subnets.Keys.Order().ShouldBe(["app", "web"]);
        var left = await _cli.RunAsync(["network", "vpc", "list", "--output", "json"]);
        JsonDocument.Parse(left.Stdout).RootElement.GetProperty("items").EnumerateArray().Select(v => v.GetProperty("name").GetString()).ShouldBe(["default"]);
    }

    [Fact]
    public async Task Json_output_is_the_api_object_with_the_subnet_usage_and_the_addresses_answer()
    {
        var vpc = await OkJsonAsync("network", "vpc", "create", "--name", "j", "--cidr", "10.30.0.0/16", "--tag", "team=blue", "--output", "json");
        var vpcId = vpc.GetProperty("id").GetString()!;
        vpc.GetProperty("spec").GetProperty("cidr").GetString().ShouldBe("10.30.0.0/16");
        vpc.GetProperty("tags").GetProperty("team").GetString().ShouldBe("blue");

        var subnet = await OkJsonAsync("network", "subnet", "create", "--vpc", vpcId, "--cidr", "10.30.5.0/28", "--zone", "local-a", "--output", "json");
        var subnetId = subnet.GetProperty("id").GetString()!;
        var details = subnet.GetProperty("status").GetProperty("details");
        (details.GetProperty("gateway").GetString(), details.GetProperty("usableIpAddressCount").GetInt64(), details.GetProperty("usedIpAddressCount").GetInt64(), details.GetProperty("availableIpAddressCount").GetInt64())
            .ShouldBe(("10.30.5.1", 13L, 0L, 13L));
        (await OkJsonAsync("network", "subnet", "get", subnetId, "--output", "json")).GetProperty("spec").GetProperty("vpcId").GetString().ShouldBe(vpcId);
        var listed = await OkJsonAsync("network", "subnet", "list", "--vpc", vpcId, "--output", "json");
        listed.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("id").GetString()).ShouldBe([subnetId]);
        var addresses = await OkJsonAsync("network", "subnet", "addresses", subnetId, "--output", "json");
        addresses.GetProperty("subnetId").GetString().ShouldBe(subnetId);
        addresses.GetProperty("addresses").GetArrayLength().ShouldBe(0);
        (await OkJsonAsync("network", "vpc", "get", vpcId, "--output", "json")).GetProperty("name").GetString().ShouldBe("j");
        var yaml = await _cli.RunAsync(["network", "vpc", "get", "default", "--output", "yaml"]);
        yaml.ExitCode.ShouldBe(0, yaml.ToString());
        yaml.Stdout.ShouldContain("isDefault: true");
    }

    [Fact]
    public async Task Bad_input_is_refused_with_a_clear_message_and_exit_code()
    {
        var missing = await _cli.RunAsync(["network", "vpc", "create", "--name", "a"]);
        missing.ExitCode.ShouldBe(2, missing.ToString());
        missing.Stderr.ShouldContain("Option '--cidr' is required.");
        var subnetMissing = await _cli.RunAsync(["network", "subnet", "create", "--cidr", "10.10.1.0/24"]);
        subnetMissing.ExitCode.ShouldBe(2, subnetMissing.ToString());
        subnetMissing.Stderr.ShouldContain("Option '--vpc' is required.");

        var outside = await _cli.RunAsync(["network", "vpc", "create", "--name", "pub", "--cidr", "8.8.0.0/16"]);
        outside.ExitCode.ShouldBe(1, outside.ToString());
        outside.Stderr.ShouldStartWith("error: InvalidParameter: ");
        outside.Stderr.ShouldContain("cidr: ");

        var notThere = await _cli.RunAsync(["network", "vpc", "get", "vpc-nothere00000"]);
        notThere.ExitCode.ShouldBe(1, notThere.ToString());
        notThere.Stderr.ShouldStartWith("error: NotFound: ");
        var noSubnet = await _cli.RunAsync(["network", "subnet", "addresses", "subnet-nothere00000"]);
        noSubnet.ExitCode.ShouldBe(1, noSubnet.ToString());
        noSubnet.Stderr.ShouldStartWith("error: NotFound: ");
        var badVpc = await _cli.RunAsync(["network", "subnet", "create", "--vpc", "vpc-nothere00000", "--cidr", "10.10.1.0/24"]);
        badVpc.ExitCode.ShouldBe(1, badVpc.ToString());
        badVpc.Stderr.ShouldContain("vpc-nothere00000");
    }

    private async Task<JsonElement> OkJsonAsync(params string[] args)
    {
        var result = await _cli.RunAsync(args);
        result.ExitCode.ShouldBe(0, result.ToString());
        return JsonDocument.Parse(result.Stdout).RootElement.Clone();
    }

    // The ```console block after "### From the CLI" of docs/network.md: "$ nimbus ..." lines, each followed by its expected output.
    private static List<(string Command, List<string> Output)> ReadExample() =>
        Repository.ConsoleExample("network.md", "### From the CLI");

    [GeneratedRegex(@"\bvpc-[a-z0-9]{12}\b")]
    private static partial Regex VpcId();

    [GeneratedRegex(@"\bsubnet-[a-z0-9]{12}\b")]
    private static partial Regex SubnetId();
}
