using System.CommandLine;
using Nimbus.Cli.Views;
using Nimbus.Contracts.Network;

namespace Nimbus.Cli.Commands;

/// <summary><c>nimbus network nat-gateway create|list|get|delete</c>.</summary>
internal static class NatGatewayCommands
{
    public static Command Create(CliContext context) =>
        new("nat-gateway", "NAT gateways: routed private subnets reach the host's networks from an elastic IP")
        {
            CreateCommand(context),
            List(context),
            Get(context),
            Delete(context),
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
}
