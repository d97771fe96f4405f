using System.Text.RegularExpressions;
using Shouldly;
using Xunit;

namespace Nimbus.Compute.Tests;

/// <summary>The network interface example of docs/network.md, command by command, with the device it describes checked in the instance's namespace.</summary>
public sealed partial class NetworkInterfaceCliTests : NetworkHostTest
{
    [Fact]
    public async Task The_network_interface_example_of_the_network_docs_runs_as_written()
    {
        string? instance = null, eni = null, subnet = null;
        foreach (var (command, expected) in ReadExample())
        {
            if (command.Contains("<subnet>", StringComparison.Ordinal))
            {
                // The instance run before went to the default VPC's first default subnet.
                subnet ??= Nimbus.Sdk.Compute.InstancesClient.SpecOf(await Server.Client.Compute.Instances.GetAsync(instance!))!.NetworkInterface!.SubnetId;
            }

            var args = Regex.Split(command, " +").Skip(1).Select(a => a switch { "<id>" => instance!, "<subnet>" => subnet!, _ => a }).ToArray();
            var (code, stdout, stderr) = await Server.RunCliAsync(Home.Path, args);
            var fails = expected.Any(l => l.StartsWith("error: ", StringComparison.Ordinal));
            (code == 0).ShouldBe(!fails, $"{command}\n{stdout}\n{stderr}");
            var actual = (stderr + stdout).Split('\n').Select(l => l.TrimEnd()).ToList();
            instance ??= actual.Select(l => InstanceId().Match(l)).FirstOrDefault(m => m.Success)?.Value;
            if (command.Contains(" eni create ", StringComparison.Ordinal))
            {
                eni = actual.Select(l => InterfaceId().Match(l)).First(m => m.Success).Value;
            }

            foreach (var line in expected)
            {
                var pattern = "^" + Regex.Replace(Regex.Escape(line), @"(\\ )+", @"\s+")
                    .Replace("<eni>", "eni-[a-z0-9]+", StringComparison.Ordinal)
                    .Replace("<sg>", "sg-[a-z0-9]+", StringComparison.Ordinal)
                    .Replace("<subnet>", Regex.Escape(subnet ?? "subnet-"), StringComparison.Ordinal)
                    .Replace("<id>", Regex.Escape(instance ?? "i-"), StringComparison.Ordinal)
                    .Replace("<time>", @"\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ", StringComparison.Ordinal)
                    .Replace("<ip>", @"\d+\.\d+\.\d+\.\d+", StringComparison.Ordinal) + "$";
                actual.ShouldContain(l => Regex.IsMatch(l, pattern), $"`{command}` should print a line like\n{line}\nbut printed\n{string.Join('\n', actual)}");
            }

            // What the page says of the instance: eth1 with the interface's address after attach, no eth1 after detach.
            if (command.Contains(" eni attach ", StringComparison.Ordinal))
            {
                var address = Nimbus.Sdk.Network.NetworkInterfacesClient.SpecOf(await Server.Client.Network.Interfaces.GetAsync(eni!)).PrivateIpAddress;
                (await Host.RunAsync("ip", ["-n", Server.NetnsOf(instance!), "-4", "addr", "show", "dev", "eth1"])).Stdout.ShouldContain(address + "/");
            }
            else if (command.Contains(" eni detach ", StringComparison.Ordinal))
            {
                (await Host.RunAsync("ip", ["-n", Server.NetnsOf(instance!), "link", "show", "dev", "eth1"])).ExitCode.ShouldNotBe(0);
            }
        }

        eni.ShouldNotBeNull();
    }

    [Fact]
    public async Task Cli_asks_for_addresses_or_a_count_and_names_a_missing_interface()
    {
        var (code, _, stderr) = await Server.RunCliAsync(Home.Path, "network", "eni", "assign-ip", "nosuch");
        code.ShouldBe(2);
        stderr.ShouldContain("Give --private-ip (repeatable) or --count.");
        (code, _, stderr) = await Server.RunCliAsync(Home.Path, "network", "eni", "get", "nosuch");
        code.ShouldBe(1);
        stderr.ShouldContain("NotFound");
    }

    private static List<(string Command, List<string> Output)> ReadExample() =>
        Repository.ConsoleExample("network.md", "## Network interfaces", minSteps: 6);

    [GeneratedRegex(@"\bi-[a-z0-9]{12}\b")]
    private static partial Regex InstanceId();

    [GeneratedRegex(@"\beni-[a-z0-9]{12}\b")]
    private static partial Regex InterfaceId();
}
