using System.CommandLine;
using Nimbus.Cli.Views;
using Nimbus.Contracts.Network;

namespace Nimbus.Cli.Commands;

/// <summary><c>nimbus network nat-gateway create|list|get|delete|add-forward|list-forwards|remove-forward</c>.</summary>
internal static class NatGatewayCommands
{
    public static Command Create(CliContext context) =>
        new("nat-gateway", "NAT gateways: routed private subnets reach the host's networks from an elastic IP")
        {
            CreateCommand(context),
            List(context),
            Get(context),
            Delete(context),
            AddForward(context),
            ListForwards(context),
            RemoveForward(context),
        };

    private static Argument<string> Gateway() => new("nat-gateway") { Description = "NAT gateway id (ngw-...) or name" };

    private static Command CreateCommand(CliContext context)
    {
        var subnet = new Option<string>("--subnet") { Description = "Subnet id the gateway is in", HelpName = "id", Required = true };
        var eip = new Option<string>("--eip") { Description = "An unassociated elastic IP of yours (id, name or address)", HelpName = "eip", Required = true };
        var name = new Option<string?>("--name") { Description = "Name, unique among your NAT gateways (default: the id)", HelpName = "name" };
        var tags = CommonOptions.Tags("Tag to set; repeat for several");
        var command = new Command("create", "Create a NAT gateway; route a subnet's 0.0.0.0/0 to it with route-table add-route --nat-gateway") { subnet, eip, name, tags };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var request = new CreateNatGatewayRequest
            {
                SubnetId = parseResult.GetValue(subnet),
                AllocationId = parseResult.GetValue(eip),
                Name = parseResult.GetValue(name),
                Tags = CommonOptions.ParseTags(parseResult.GetValue(tags)),
            };
            output.Write(await client.Network.NatGateways.CreateAsync(request, cancellationToken).ConfigureAwait(false), NatGatewayView.One);
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var name = new Option<string?>("--name") { Description = "Only the NAT gateway of this name", HelpName = "name" };
        var nextToken = CommonOptions.NextToken();
        var command = new Command("list", "List your NAT gateways") { name, nextToken };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var page = await client.Network.NatGateways.ListAsync(parseResult.GetValue(name), parseResult.GetValue(nextToken), cancellationToken).ConfigureAwait(false);
            output.Write(page, NatGatewayView.Page);
            Paging.HintNextPage(context, output, page.NextToken);
        });
        return command;
    }

    private static Command Get(CliContext context)
    {
        var gateway = Gateway();
        var command = new Command("get", "Show a NAT gateway") { gateway };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
            output.Write(await client.Network.NatGateways.GetAsync(parseResult.GetValue(gateway)!, cancellationToken).ConfigureAwait(false), NatGatewayView.One));
        return command;
    }

    private static Command Delete(CliContext context)
    {
        var gateway = Gateway();
        var command = new Command("delete", "Delete a NAT gateway (refused while a route table routes to it); its elastic IP is available again") { gateway };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var reference = parseResult.GetValue(gateway)!;
            await client.Network.NatGateways.DeleteAsync(reference, cancellationToken).ConfigureAwait(false);
            output.Message($"Deleted NAT gateway {reference}.");
        });
        return command;
    }

    private static Command AddForward(CliContext context)
    {
        var gateway = Gateway();
        var protocol = new Option<string>("--protocol") { Description = "tcp or udp", HelpName = "protocol", Required = true };
        protocol.AcceptOnlyFromAmong("tcp", "udp");
        var externalPort = new Option<string>("--external-port", "--port")
        {
            Description = "Port on the gateway's elastic IP (1-65535), or a range of them (8000-8010)", HelpName = "port|first-last", Required = true,
        };
        var privateIp = new Option<string>("--private-ip") { Description = "Private address in a subnet of the gateway's VPC", HelpName = "ip", Required = true };
        var privatePort = new Option<string?>("--private-port")
        {
            Description = "Port on the private address (default: the external port); for a range, its first port or a range of the same size", HelpName = "port|first-last",
        };
        var name = new Option<string?>("--name") { Description = "Name, unique among the gateway's forwards (default: the id)", HelpName = "name" };
        var command = new Command("add-forward", "Forward a port of the gateway's elastic IP to a private address (DNAT); its security groups must let the port in")
        {
            gateway, protocol, externalPort, privateIp, privatePort, name,
        };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var (external, externalEnd) = PortRange("--external-port", parseResult.GetValue(externalPort)!);
            var (internalPort, internalEnd) = parseResult.GetValue(privatePort) is { } given ? PortRange("--private-port", given) : (null, null);
            var request = new CreatePortForwardRequest
            {
                Protocol = parseResult.GetValue(protocol),
                ExternalPort = external,
                ExternalPortEnd = externalEnd,
                PrivateIpAddress = parseResult.GetValue(privateIp),
                PrivatePort = internalPort,
                PrivatePortEnd = internalEnd,
                Name = parseResult.GetValue(name),
            };
            output.Write(await client.Network.NatGateways.AddPortForwardAsync(parseResult.GetValue(gateway)!, request, cancellationToken).ConfigureAwait(false), PortForwardView.One);
        });
        return command;
    }

    /// <summary><c>8080</c> or <c>8000-8010</c>; the server checks the numbers (1-65535, order, size).</summary>
    internal static (int? First, int? Last) PortRange(string option, string text)
    {
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        var first = dash < 0 ? text : text[..dash];
        var last = dash < 0 ? null : text[(dash + 1)..];
        if (!int.TryParse(first, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var from)
            || (last is not null && !int.TryParse(last, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _)))
        {
            throw new CliUsageException($"{option} {text} is not a port or a range of ports; write 8080 or 8000-8010.");
        }

        return (from, last is null ? null : int.Parse(last, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static Command ListForwards(CliContext context)
    {
        var gateway = Gateway();
        var command = new Command("list-forwards", "List the gateway's port forwards") { gateway };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
            output.Write(await client.Network.NatGateways.ListPortForwardsAsync(parseResult.GetValue(gateway)!, cancellationToken).ConfigureAwait(false), PortForwardView.Page));
        return command;
    }

    private static Command RemoveForward(CliContext context)
    {
        var gateway = Gateway();
        var forward = new Argument<string>("forward") { Description = "Port forward id (pf-...) or name" };
        var command = new Command("remove-forward", "Remove a port forward: new connections to its port are no longer forwarded") { gateway, forward };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var reference = parseResult.GetValue(forward)!;
            await client.Network.NatGateways.RemovePortForwardAsync(parseResult.GetValue(gateway)!, reference, cancellationToken).ConfigureAwait(false);
            output.Message($"Removed port forward {reference}.");
        });
        return command;
    }
}
