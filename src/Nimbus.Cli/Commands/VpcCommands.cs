using System.CommandLine;
using Nimbus.Cli.Views;
using Nimbus.Contracts.Network;

namespace Nimbus.Cli.Commands;

/// <summary><c>nimbus network vpc create|list|get|delete</c>.</summary>
internal static class VpcCommands
{
    public static Command Create(CliContext context) =>
        new("vpc", "VPCs: private IPv4 ranges, isolated from each other (the account's default VPC is made on first use)")
        {
            CreateVpc(context),
            List(context),
            Get(context),
            Delete(context),
        };

    private static Argument<string> Vpc() => new("vpc") { Description = "VPC id (vpc-...) or default" };

    private static Command CreateVpc(CliContext context)
    {
        var name = new Option<string>("--name") { Description = "Name, unique among your VPCs", HelpName = "name", Required = true };
        var cidr = new Option<string>("--cidr") { Description = "IPv4 range, /8 to /28, inside 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10, e.g. 10.10.0.0/16", HelpName = "cidr", Required = true };
        var tags = CommonOptions.Tags("Tag to set; repeat for several");
        var command = new Command("create", "Create a VPC; its range may not overlap another VPC of this installation") { name, cidr, tags };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var request = new CreateVpcRequest
            {
                Name = parseResult.GetValue(name),
                Cidr = parseResult.GetValue(cidr),
                Tags = CommonOptions.ParseTags(parseResult.GetValue(tags)),
            };
            output.Write(await client.Network.Vpcs.CreateAsync(request, cancellationToken: cancellationToken).ConfigureAwait(false), NetworkViews.Vpc);
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var name = new Option<string?>("--name") { Description = "Only the VPC of this name", HelpName = "name" };
        var nextToken = CommonOptions.NextToken();
        var command = new Command("list", "List your VPCs") { name, nextToken };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var page = await client.Network.Vpcs.ListAsync(parseResult.GetValue(name), nextToken: parseResult.GetValue(nextToken), cancellationToken: cancellationToken).ConfigureAwait(false);
            output.Write(page, NetworkViews.VpcPage);
            Paging.HintNextPage(context, output, page.NextToken);
        });
        return command;
    }

    private static Command Get(CliContext context)
    {
        var vpc = Vpc();
        var command = new Command("get", "Show a VPC") { vpc };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
            output.Write(await client.Network.Vpcs.GetAsync(parseResult.GetValue(vpc)!, cancellationToken).ConfigureAwait(false), NetworkViews.Vpc));
        return command;
    }

    private static Command Delete(CliContext context)
    {
        var vpc = Vpc();
        var command = new Command("delete", "Delete a VPC (refused while it has subnets)") { vpc };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var reference = parseResult.GetValue(vpc)!;
            await client.Network.Vpcs.DeleteAsync(reference, cancellationToken).ConfigureAwait(false);
            output.Message($"Deleted VPC {reference}.");
        });
        return command;
    }
}
