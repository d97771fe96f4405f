using System.CommandLine;
using Nimbus.Cli.Views;
using Nimbus.Contracts.Network;

namespace Nimbus.Cli.Commands;

/// <summary><c>nimbus network peering create|list|get|accept|reject|delete</c>.</summary>
internal static class PeeringCommands
{
    public static Command Create(CliContext context) =>
        new("peering", "VPC peering connections: two VPCs talking by private address, routed on both sides")
        {
            CreatePeering(context),
            List(context),
            Get(context),
            Answer(context, accept: true),
            Answer(context, accept: false),
            Delete(context),
        };

    private static Argument<string> Peering() => new("peering") { Description = "Peering connection id (pcx-...)" };

    private static Command CreatePeering(CliContext context)
    {
        var vpc = new Option<string>("--vpc") { Description = "Your VPC (id or default): the requester", HelpName = "id", Required = true };
        var peerVpc = new Option<string>("--peer-vpc") { Description = "The other VPC: the accepter", HelpName = "id", Required = true };
        var peerAccount = new Option<string?>("--peer-account") { Description = "The other VPC's account (default: yours)", HelpName = "account" };
        var name = new Option<string?>("--name") { Description = "Name (default: the id)", HelpName = "name" };
        var command = new Command("create", "Request a peering; the accepter's account accepts or rejects it") { vpc, peerVpc, peerAccount, name };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var request = new CreatePeeringRequest
            {
                VpcId = parseResult.GetValue(vpc),
                PeerVpcId = parseResult.GetValue(peerVpc),
                PeerAccountId = parseResult.GetValue(peerAccount),
                Name = parseResult.GetValue(name),
            };
            output.Write(await client.Network.Peerings.CreateAsync(request, cancellationToken).ConfigureAwait(false), PeeringView.One);
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var command = new Command("list", "List the peerings you requested or are asked to accept");
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
            output.Write(await client.Network.Peerings.ListAsync(cancellationToken).ConfigureAwait(false), PeeringView.Page));
        return command;
    }

    private static Command Get(CliContext context)
    {
        var peering = Peering();
        var command = new Command("get", "Show a peering") { peering };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
            output.Write(await client.Network.Peerings.GetAsync(parseResult.GetValue(peering)!, cancellationToken).ConfigureAwait(false), PeeringView.One));
        return command;
    }

    private static Command Answer(CliContext context, bool accept)
    {
        var peering = Peering();
        var command = new Command(accept ? "accept" : "reject", accept ? "Accept a pending peering (the accepter's account)" : "Reject a pending peering (the accepter's account)") { peering };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var id = parseResult.GetValue(peering)!;
            var answered = accept
                ? await client.Network.Peerings.AcceptAsync(id, cancellationToken).ConfigureAwait(false)
                : await client.Network.Peerings.RejectAsync(id, cancellationToken).ConfigureAwait(false);
            output.Write(answered, PeeringView.One);
        });
        return command;
    }

    private static Command Delete(CliContext context)
    {
        var peering = Peering();
        var command = new Command("delete", "Delete a peering (either side); routes to it stop forwarding") { peering };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var id = parseResult.GetValue(peering)!;
            await client.Network.Peerings.DeleteAsync(id, cancellationToken).ConfigureAwait(false);
            output.Message($"Deleted peering {id}.");
        });
        return command;
    }
}
