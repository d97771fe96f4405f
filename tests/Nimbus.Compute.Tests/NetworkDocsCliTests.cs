using System.Text.RegularExpressions;
using Shouldly;
using Xunit;

namespace Nimbus.Compute.Tests;

/// <summary>The elastic IP and route table examples of docs/network.md, command by command, with the traffic they describe checked from the host.</summary>
public sealed partial class NetworkDocsCliTests : NetworkHostTest
{
    [Fact]
    public async Task The_elastic_ip_and_route_table_examples_of_the_network_docs_run_as_written()
    {
        var vpcCidr = Nimbus.Sdk.Network.VpcsClient.SpecOf(await Server.Client.Network.Vpcs.GetAsync("default")).Cidr;
        var values = new Dictionary<string, string> { ["<vpc-cidr>"] = vpcCidr };
        string? address = null;
        foreach (var (command, expected) in ReadExample("## Elastic IPs").Concat(ReadExample("## Route tables")))
        {
            var args = Regex.Split(command, " +").Skip(1).Select(a => values.GetValueOrDefault(a, a)).ToArray();
            var (code, stdout, stderr) = await Server.RunCliAsync(Home.Path, args);
            var fails = expected.Any(l => l.StartsWith("error: ", StringComparison.Ordinal));
            (code == 0).ShouldBe(!fails, $"{command}\n{stdout}\n{stderr}");
            var actual = (stderr + stdout).Split('\n').Select(l => l.TrimEnd()).ToList();
            Capture(values, "<id>", actual, InstanceId());
            Capture(values, "<eip>", actual, AllocationId());
            foreach (var line in expected)
            {
                var pattern = "^" + Regex.Replace(Regex.Escape(line), @"(\\ )+", @"\s+");
                foreach (var (placeholder, value) in values)
                {
                    pattern = pattern.Replace(Regex.Escape(placeholder), Regex.Escape(value), StringComparison.Ordinal);
                }

                pattern = pattern
                    .Replace("<rule>", "sgr-[a-z0-9]+", StringComparison.Ordinal)
                    .Replace("<vpc>", "vpc-[a-z0-9]+", StringComparison.Ordinal)
                    .Replace("<eni>", "eni-[a-z0-9]+", StringComparison.Ordinal)
                    .Replace("<rtb>", "rtb-[a-z0-9]+", StringComparison.Ordinal)
                    .Replace("<time>", @"\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ", StringComparison.Ordinal)
                    .Replace("<address>", @"127\.\d+\.\d+\.\d+", StringComparison.Ordinal)
                    .Replace("<ip>", @"\d+\.\d+\.\d+\.\d+", StringComparison.Ordinal) + "$";
                actual.ShouldContain(l => Regex.IsMatch(l, pattern), $"`{command}` should print a line like\n{line}\nbut printed\n{string.Join('\n', actual)}");
            }

            // What the page says of the traffic: the host reaches site on the elastic IP while it is associated, not after.
            if (command.StartsWith("nimbus network eip allocate", StringComparison.Ordinal))
            {
                address = Nimbus.Sdk.Network.ElasticIpsClient.SpecOf(await Server.Client.Network.ElasticIps.GetAsync("front")).PublicIp;
            }
            else if (command.StartsWith("nimbus network eip associate", StringComparison.Ordinal))
            {
                (await Poll.UntilAsync(() => CurlAsync(address!), r => !r.StartsWith("error", StringComparison.Ordinal), what: "httpd on the elastic IP")).ShouldNotStartWith("error");
            }
            else if (command.StartsWith("nimbus network eip disassociate", StringComparison.Ordinal))
            {
                (await CurlAsync(address!)).ShouldStartWith("error");
            }
        }

        address.ShouldNotBeNull();
        var lo = await Host.RunAsync("ip", ["-4", "-o", "addr", "show", "dev", "lo"]);
        lo.Stdout.ShouldNotContain(" " + address + "/32", customMessage: "a released elastic IP leaves lo");
    }

    private static void Capture(Dictionary<string, string> values, string placeholder, List<string> lines, Regex id)
    {
        if (!values.ContainsKey(placeholder) && lines.Select(l => id.Match(l)).FirstOrDefault(m => m.Success) is { } match)
        {
            values[placeholder] = match.Value;
        }
    }

    private static async Task<string> CurlAsync(string address)
    {
        var (code, stdout, stderr) = await Host.RunAsync("curl", ["-sS", "--max-time", "2", $"http://{address}/"]);
        return code == 0 ? stdout : "error: " + stderr;
    }

    private static List<(string Command, List<string> Output)> ReadExample(string heading) =>
        Repository.ConsoleExample("network.md", heading, minSteps: 4);

    [GeneratedRegex(@"\bi-[a-z0-9]{12}\b")]
    private static partial Regex InstanceId();

    [GeneratedRegex(@"\beipalloc-[a-z0-9]{12}\b")]
    private static partial Regex AllocationId();
}
