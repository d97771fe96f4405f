using System.CommandLine;
using Nimbus.Cli.Views;
using Nimbus.Contracts.Network;

namespace Nimbus.Cli.Commands;

/// <summary><c>nimbus network eni create|list|get|attach|detach|delete|assign-ip|unassign-ip</c>.</summary>
internal static class NetworkInterfaceCommands
{
    public static Command Create(CliContext context) =>
        new("eni", "Network interfaces: instances' primary interfaces, secondary interfaces and their addresses")
        {
            CreateInterface(context),
            List(context),
            Get(context),
            Attach(context),
            Detach(context),
            Modify(context),
            Delete(context),
            AssignIp(context),
            UnassignIp(context),
        };

    private static Argument<string> Interface() => new("interface") { Description = "Network interface id (eni-...) or name" };

    private static Command CreateInterface(CliContext context)
    {
        var subnet = new Option<string>("--subnet") { Description = "The subnet whose addresses it takes", HelpName = "id", Required = true };
        var privateIp = new Option<string?>("--private-ip") { Description = "Its address (default: the subnet's next free one)", HelpName = "address" };
        var groups = new Option<string[]>("--security-group") { Description = "A group of the subnet's VPC; repeat for up to 5 (default: the VPC's default group)", HelpName = "id", AllowMultipleArgumentsPerToken = false };
        var name = new Option<string?>("--name") { Description = "Name, unique among your interfaces (default: its id)", HelpName = "name" };
        var description = new Option<string?>("--description") { Description = "Free text", HelpName = "text" };
        var tags = CommonOptions.Tags("Tag to set; repeat for several");
        var command = new Command("create", "Create a secondary interface in a subnet (not attached)") { subnet, privateIp, groups, name, description, tags };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var chosen = parseResult.GetValue(groups);
            var request = new CreateNetworkInterfaceRequest
            {
                SubnetId = parseResult.GetValue(subnet),
                PrivateIpAddress = parseResult.GetValue(privateIp),
                SecurityGroupIds = chosen is { Length: > 0 } ? chosen : null,
                Name = parseResult.GetValue(name),
                Description = parseResult.GetValue(description),
                Tags = CommonOptions.ParseTags(parseResult.GetValue(tags)),
            };
            output.Write(await client.Network.Interfaces.CreateAsync(request, cancellationToken).ConfigureAwait(false), NetworkInterfaceView.One);
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var name = new Option<string?>("--name") { Description = "Only the interface of this name", HelpName = "name" };
        var nextToken = CommonOptions.NextToken();
        var command = new Command("list", "List your network interfaces (instances' primary interfaces included)") { name, nextToken };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var page = await client.Network.Interfaces.ListAsync(parseResult.GetValue(name), parseResult.GetValue(nextToken), cancellationToken).ConfigureAwait(false);
            output.Write(page, NetworkInterfaceView.Page);
            Paging.HintNextPage(context, output, page.NextToken);
        });
        return command;
    }

    private static Command Get(CliContext context)
    {
        var target = Interface();
        var command = new Command("get", "Show a network interface") { target };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
            output.Write(await client.Network.Interfaces.GetAsync(parseResult.GetValue(target)!, cancellationToken).ConfigureAwait(false), NetworkInterfaceView.One));
        return command;
    }

    private static Command Attach(CliContext context)
    {
        var target = Interface();
        var instance = new Option<string>("--instance") { Description = "A running or stopped instance of the interface's VPC and zone", HelpName = "id", Required = true };
        var command = new Command("attach", "Attach a secondary interface to an instance as its next device (eth1, ...)") { target, instance };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
            output.Write(await client.Network.Interfaces.AttachAsync(parseResult.GetValue(target)!, parseResult.GetValue(instance)!, cancellationToken).ConfigureAwait(false), NetworkInterfaceView.One));
        return command;
    }

    private static Command Modify(CliContext context)
    {
        var target = Interface();
        var groups = new Option<string[]>("--security-group") { Description = "A group of the interface's VPC; repeat for up to 5 (replaces its groups)", HelpName = "id", AllowMultipleArgumentsPerToken = false };
        var check = new Option<bool?>("--source-dest-check") { Description = "false lets the interface send from other addresses than its own (an appliance); true (the default) does not", HelpName = "true|false" };
        var command = new Command("modify", "Change an interface's security groups or its source/destination check") { target, groups, check };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var given = parseResult.GetValue(groups);
            var request = new ModifyNetworkInterfaceRequest
            {
                SecurityGroupIds = given is { Length: > 0 } ? given : null,
                SourceDestCheck = parseResult.GetValue(check),
            };
            output.Write(await client.Network.Interfaces.ModifyAsync(parseResult.GetValue(target)!, request, cancellationToken).ConfigureAwait(false), NetworkInterfaceView.One);
        });
        return command;
    }

    private static Command Detach(CliContext context)
    {
        var target = Interface();
        var command = new Command("detach", "Detach a secondary interface from its instance") { target };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
            output.Write(await client.Network.Interfaces.DetachAsync(parseResult.GetValue(target)!, cancellationToken).ConfigureAwait(false), NetworkInterfaceView.One));
        return command;
    }

    private static Command Delete(CliContext context)
    {
        var target = Interface();
        var command = new Command("delete", "Delete a detached secondary interface (its addresses go back to the subnet)") { target };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var reference = parseResult.GetValue(target)!;
            await client.Network.Interfaces.DeleteAsync(reference, cancellationToken).ConfigureAwait(false);
            output.Message($"Deleted network interface {reference}.");
        });
        return command;
    }

    private static Command AssignIp(CliContext context)
    {
        var target = Interface();
        var addresses = new Option<string[]>("--private-ip") { Description = "An address of the interface's subnet; repeat for several", HelpName = "address", AllowMultipleArgumentsPerToken = false };
        var count = new Option<int?>("--count") { Description = "How many of the subnet's next free addresses (instead of --private-ip)", HelpName = "N" };
        var command = new Command("assign-ip", "Give the interface secondary private addresses") { target, addresses, count };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var listed = parseResult.GetValue(addresses);
            var wanted = parseResult.GetValue(count);
            if (listed is not { Length: > 0 } && wanted is null)
            {
                throw new CliUsageException("Give --private-ip (repeatable) or --count.");
            }

            var request = new AssignPrivateIpAddressesRequest { PrivateIpAddresses = listed is { Length: > 0 } ? listed : null, SecondaryPrivateIpAddressCount = wanted };
            output.Write(await client.Network.Interfaces.AssignPrivateIpAddressesAsync(parseResult.GetValue(target)!, request, cancellationToken).ConfigureAwait(false), NetworkInterfaceView.One);
        });
        return command;
    }

    private static Command UnassignIp(CliContext context)
    {
        var target = Interface();
        var addresses = new Option<string[]>("--private-ip") { Description = "A secondary address of the interface; repeat for several", HelpName = "address", Required = true, AllowMultipleArgumentsPerToken = false };
        var command = new Command("unassign-ip", "Give secondary private addresses back to the subnet") { target, addresses };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
            output.Write(await client.Network.Interfaces.UnassignPrivateIpAddressesAsync(parseResult.GetValue(target)!, parseResult.GetValue(addresses)!, cancellationToken).ConfigureAwait(false), NetworkInterfaceView.One));
        return command;
    }
}
