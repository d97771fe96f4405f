using System.CommandLine;
using Nimbus.Cli.Views;
using Nimbus.Contracts.Network;

namespace Nimbus.Cli.Commands;

/// <summary><c>nimbus network eip allocate|list|get|associate|disassociate|release</c>.</summary>
internal static class ElasticIpCommands
{
    public static Command Create(CliContext context) =>
        new("eip", "Elastic IPs: addresses of the host-side pool mapped to an instance")
        {
            Allocate(context),
            List(context),
            Get(context),
            Associate(context),
            Disassociate(context),
            Release(context),
        };

    private static Argument<string> Eip() => new("eip") { Description = "Elastic IP id (eipalloc-...), name or address" };

    private static Command Allocate(CliContext context)
    {
        var name = new Option<string?>("--name") { Description = "Name, unique among your elastic IPs (default: the id)", HelpName = "name" };
        var tags = CommonOptions.Tags("Tag to set; repeat for several");
        var command = new Command("allocate", "Allocate the next free address of the pool") { name, tags };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var request = new AllocateAddressRequest { Name = parseResult.GetValue(name), Tags = CommonOptions.ParseTags(parseResult.GetValue(tags)) };
            output.Write(await client.Network.ElasticIps.AllocateAsync(request, cancellationToken).ConfigureAwait(false), ElasticIpView.One);
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var name = new Option<string?>("--name") { Description = "Only the elastic IP of this name", HelpName = "name" };
        var nextToken = CommonOptions.NextToken();
        var command = new Command("list", "List your elastic IPs") { name, nextToken };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var page = await client.Network.ElasticIps.ListAsync(parseResult.GetValue(name), parseResult.GetValue(nextToken), cancellationToken).ConfigureAwait(false);
            output.Write(page, ElasticIpView.Page);
            Paging.HintNextPage(context, output, page.NextToken);
        });
        return command;
    }

    private static Command Get(CliContext context)
    {
        var eip = Eip();
        var command = new Command("get", "Show an elastic IP") { eip };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
            output.Write(await client.Network.ElasticIps.GetAsync(parseResult.GetValue(eip)!, cancellationToken).ConfigureAwait(false), ElasticIpView.One));
        return command;
    }

    private static Command Associate(CliContext context)
    {
        var eip = Eip();
        var instance = new Option<string?>("--instance") { Description = "Instance id: its primary private IP", HelpName = "id" };
        var networkInterface = new Option<string?>("--network-interface") { Description = "Network interface id (eni-...)", HelpName = "id" };
        var privateIp = new Option<string?>("--private-ip") { Description = "The interface's private IP to map to (default: its primary)", HelpName = "address" };
        var reassociate = new Option<bool>("--allow-reassociation") { Description = "Move the elastic IP even when it is associated elsewhere" };
        var command = new Command("associate", "Map the elastic IP to an instance or interface (DNAT to it, SNAT of its traffic)") { eip, instance, networkInterface, privateIp, reassociate };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var request = new AssociateAddressRequest
            {
                InstanceId = parseResult.GetValue(instance),
                NetworkInterfaceId = parseResult.GetValue(networkInterface),
                PrivateIpAddress = parseResult.GetValue(privateIp),
                AllowReassociation = parseResult.GetValue(reassociate) ? true : null,
            };
            output.Write(await client.Network.ElasticIps.AssociateAsync(parseResult.GetValue(eip)!, request, cancellationToken).ConfigureAwait(false), ElasticIpView.One);
        });
        return command;
    }

    private static Command Disassociate(CliContext context)
    {
        var eip = Eip();
        var command = new Command("disassociate", "Remove the elastic IP's mapping (it stays yours)") { eip };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
            output.Write(await client.Network.ElasticIps.DisassociateAsync(parseResult.GetValue(eip)!, cancellationToken).ConfigureAwait(false), ElasticIpView.One));
        return command;
    }

    private static Command Release(CliContext context)
    {
        var eip = Eip();
        var command = new Command("release", "Give the address back to the pool (refused while it is associated)") { eip };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var reference = parseResult.GetValue(eip)!;
            await client.Network.ElasticIps.ReleaseAsync(reference, cancellationToken).ConfigureAwait(false);
            output.Message($"Released elastic IP {reference}.");
        });
        return command;
    }
}
