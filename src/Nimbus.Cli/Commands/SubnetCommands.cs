using System.CommandLine;
using Nimbus.Cli.Views;
using Nimbus.Contracts.Network;

namespace Nimbus.Cli.Commands;

/// <summary><c>nimbus network subnet create|list|get|delete|addresses</c>.</summary>
internal static class SubnetCommands
{
    public static Command Create(CliContext context) =>
        new("subnet", "Subnets: ranges of a VPC in a zone, with their address usage")
        {
            CreateSubnet(context),
            List(context),
            Get(context),
            Delete(context),
            Addresses(context),
        };

    private static Argument<string> Subnet() => new("subnet") { Description = "Subnet id (subnet-...)" };

    private static Command CreateSubnet(CliContext context)
    {
        var vpc = new Option<string>("--vpc") { Description = "The VPC: its id (vpc-...) or default", HelpName = "id", Required = true };
        var cidr = new Option<string>("--cidr") { Description = "IPv4 range inside the VPC's, down to /28, overlapping none of its subnets, e.g. 10.10.1.0/24", HelpName = "cidr", Required = true };
        var zone = new Option<string?>("--zone") { Description = "Availability zone (default: the region's first)", HelpName = "zone" };
        var name = new Option<string?>("--name") { Description = "Name, unique among your subnets (default: the id)", HelpName = "name" };
        var tags = CommonOptions.Tags("Tag to set; repeat for several");
        var command = new Command("create", "Create a subnet; its network, gateway and broadcast addresses are reserved") { vpc, cidr, zone, name, tags };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var request = new CreateSubnetRequest
            {
                VpcId = parseResult.GetValue(vpc),
                Cidr = parseResult.GetValue(cidr),
                Zone = parseResult.GetValue(zone),
                Name = parseResult.GetValue(name),
                Tags = CommonOptions.ParseTags(parseResult.GetValue(tags)),
            };
            output.Write(await client.Network.Subnets.CreateAsync(request, cancellationToken: cancellationToken).ConfigureAwait(false), NetworkViews.Subnet);
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var vpc = new Option<string?>("--vpc") { Description = "Only the subnets of this VPC (id or default)", HelpName = "id" };
        var name = new Option<string?>("--name") { Description = "Only the subnet of this name", HelpName = "name" };
        var nextToken = CommonOptions.NextToken();
        var command = new Command("list", "List your subnets with their address usage") { vpc, name, nextToken };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var page = await client.Network.Subnets.ListAsync(parseResult.GetValue(vpc), parseResult.GetValue(name), nextToken: parseResult.GetValue(nextToken), cancellationToken: cancellationToken).ConfigureAwait(false);
            output.Write(page, NetworkViews.SubnetPage);
            Paging.HintNextPage(context, output, page.NextToken);
        });
        return command;
    }

    private static Command Get(CliContext context)
    {
        var subnet = Subnet();
        var command = new Command("get", "Show a subnet and its address usage") { subnet };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
            output.Write(await client.Network.Subnets.GetAsync(parseResult.GetValue(subnet)!, cancellationToken).ConfigureAwait(false), NetworkViews.Subnet));
        return command;
    }

    private static Command Delete(CliContext context)
    {
        var subnet = Subnet();
        var command = new Command("delete", "Delete a subnet (refused while interfaces hold its addresses)") { subnet };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var reference = parseResult.GetValue(subnet)!;
            await client.Network.Subnets.DeleteAsync(reference, cancellationToken).ConfigureAwait(false);
            output.Message($"Deleted subnet {reference}.");
        });
        return command;
    }

    private static Command Addresses(CliContext context)
    {
        var subnet = Subnet();
        var command = new Command("addresses", "Who holds each address of a subnet (the reserved ones included in the table)") { subnet };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var id = parseResult.GetValue(subnet)!;
            var held = await client.Network.Subnets.AddressesAsync(id, cancellationToken).ConfigureAwait(false);
            var found = output.IsTable ? await client.Network.Subnets.GetAsync(id, cancellationToken).ConfigureAwait(false) : null;
            output.Write(held, h => NetworkViews.Addresses(found, h));
        });
        return command;
    }
}
