using System.CommandLine;
using Nimbus.Cli.Views;
using Nimbus.Contracts.Network;

namespace Nimbus.Cli.Commands;

/// <summary><c>nimbus network route-table create|list|get|delete|add-route|remove-route|associate|disassociate</c>.</summary>
internal static class RouteTableCommands
{
    public static Command Create(CliContext context) =>
        new("route-table", "Route tables: where a subnet's traffic to other ranges goes")
        {
            CreateTable(context),
            List(context),
            Get(context),
            Delete(context),
            AddRoute(context),
            RemoveRoute(context),
            Associate(context),
            Disassociate(context),
        };

    private static Argument<string> Table() => new("route-table") { Description = "Route table id (rtb-...) or name" };

    private static Command CreateTable(CliContext context)
    {
        var vpc = new Option<string>("--vpc") { Description = "The VPC (id or default)", HelpName = "id", Required = true };
        var name = new Option<string?>("--name") { Description = "Name, unique among your route tables (default: the id)", HelpName = "name" };
        var tags = CommonOptions.Tags("Tag to set; repeat for several");
        var command = new Command("create", "Create a custom route table of a VPC (it holds the local route)") { vpc, name, tags };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var request = new CreateRouteTableRequest { VpcId = parseResult.GetValue(vpc), Name = parseResult.GetValue(name), Tags = CommonOptions.ParseTags(parseResult.GetValue(tags)) };
            output.Write(await client.Network.RouteTables.CreateAsync(request, cancellationToken).ConfigureAwait(false), RouteTableView.Routes);
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var vpc = new Option<string?>("--vpc") { Description = "Only the tables of this VPC", HelpName = "id" };
        var name = new Option<string?>("--name") { Description = "Only the table of this name", HelpName = "name" };
        var nextToken = CommonOptions.NextToken();
        var command = new Command("list", "List your route tables, every VPC's main table included") { vpc, name, nextToken };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var page = await client.Network.RouteTables.ListAsync(parseResult.GetValue(vpc), parseResult.GetValue(name), parseResult.GetValue(nextToken), cancellationToken).ConfigureAwait(false);
            output.Write(page, RouteTableView.Page);
            Paging.HintNextPage(context, output, page.NextToken);
        });
        return command;
    }

    private static Command Get(CliContext context)
    {
        var table = Table();
        var command = new Command("get", "Show a table's routes, most specific first") { table };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
            output.Write(await client.Network.RouteTables.GetAsync(parseResult.GetValue(table)!, cancellationToken).ConfigureAwait(false), RouteTableView.Routes));
        return command;
    }

    private static Command Delete(CliContext context)
    {
        var table = Table();
        var command = new Command("delete", "Delete a custom table no subnet uses") { table };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var reference = parseResult.GetValue(table)!;
            await client.Network.RouteTables.DeleteAsync(reference, cancellationToken).ConfigureAwait(false);
            output.Message($"Deleted route table {reference}.");
        });
        return command;
    }

    private static Command AddRoute(CliContext context)
    {
        var table = Table();
        var destination = new Option<string>("--destination") { Description = "IPv4 CIDR block, e.g. 0.0.0.0/0", HelpName = "cidr", Required = true };
        var natGateway = new Option<string?>("--nat-gateway") { Description = "Target: a NAT gateway of the VPC", HelpName = "id" };
        var instance = new Option<string?>("--instance") { Description = "Target: an instance of the VPC (an appliance)", HelpName = "id" };
        var networkInterface = new Option<string?>("--network-interface") { Description = "Target: a network interface of the VPC (an appliance's)", HelpName = "id" };
        var peering = new Option<string?>("--peering") { Description = "Target: a peering connection of the VPC", HelpName = "id" };
        var command = new Command("add-route", "Add a route (give one target)") { table, destination, natGateway, instance, networkInterface, peering };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var request = new CreateRouteRequest
            {
                DestinationCidr = parseResult.GetValue(destination),
                NatGatewayId = parseResult.GetValue(natGateway),
                InstanceId = parseResult.GetValue(instance),
                NetworkInterfaceId = parseResult.GetValue(networkInterface),
                PeeringId = parseResult.GetValue(peering),
            };
            output.Write(await client.Network.RouteTables.AddRouteAsync(parseResult.GetValue(table)!, request, cancellationToken).ConfigureAwait(false), RouteTableView.Routes);
        });
        return command;
    }

    private static Command RemoveRoute(CliContext context)
    {
        var table = Table();
        var destination = new Option<string>("--destination") { Description = "Destination of the route to remove", HelpName = "cidr", Required = true };
        var command = new Command("remove-route", "Remove a route (the local route stays)") { table, destination };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
            output.Write(await client.Network.RouteTables.RemoveRouteAsync(parseResult.GetValue(table)!, parseResult.GetValue(destination)!, cancellationToken).ConfigureAwait(false), RouteTableView.Routes));
        return command;
    }

    private static Command Associate(CliContext context)
    {
        var table = Table();
        var subnet = new Option<string>("--subnet") { Description = "A subnet of the table's VPC", HelpName = "id", Required = true };
        var command = new Command("associate", "Make a subnet use this table (it leaves the one it used)") { table, subnet };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
            output.Write(await client.Network.RouteTables.AssociateAsync(parseResult.GetValue(table)!, parseResult.GetValue(subnet)!, cancellationToken).ConfigureAwait(false), t => RouteTableView.Many([t])));
        return command;
    }

    private static Command Disassociate(CliContext context)
    {
        var table = Table();
        var subnet = new Option<string>("--subnet") { Description = "A subnet associated with the table", HelpName = "id", Required = true };
        var command = new Command("disassociate", "Make a subnet use its VPC's main table again") { table, subnet };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
            output.Write(await client.Network.RouteTables.DisassociateAsync(parseResult.GetValue(table)!, parseResult.GetValue(subnet)!, cancellationToken).ConfigureAwait(false), t => RouteTableView.Many([t])));
        return command;
    }
}
