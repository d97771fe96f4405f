using System.CommandLine;
using Nimbus.Cli.Views;
using Nimbus.Contracts.Iam;

namespace Nimbus.Cli.Commands;

/// <summary><c>nimbus iam group create|list|get|add-user|remove-user|attach-policy|detach-policy|delete|put-policy|get-policy|list-policies|delete-policy</c>.</summary>
internal static class GroupCommands
{
    public static Command Create(CliContext context) =>
        new Command("group", "Groups of users")
        {
            CreateGroup(context),
            List(context),
            Get(context),
            Membership(context, "add-user", "Add a user to a group", add: true),
            Membership(context, "remove-user", "Remove a user from a group", add: false),
            PolicyAttachment(context, "attach-policy", "Attach a managed policy to a group (it applies to every member)", attach: true),
            PolicyAttachment(context, "detach-policy", "Detach a managed policy from a group", attach: false),
            Delete(context),
        }.WithSubcommands(InlinePolicyCommands.All(context, InlinePolicyCommands.Group));

    private static Command CreateGroup(CliContext context)
    {
        var name = new Option<string>("--name") { Description = "Group name", Required = true };
        var path = new Option<string?>("--path") { Description = "Path such as /engineering/ (default /)" };
        var command = new Command("create", "Create a group") { name, path };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
            output.Write(await client.Iam.Groups.CreateAsync(new CreateGroupRequest { Name = parseResult.GetValue(name), Path = parseResult.GetValue(path) }, cancellationToken).ConfigureAwait(false), PrincipalView.Group));
        return command;
    }

    private static Command List(CliContext context)
    {
        var name = new Option<string?>("--name") { Description = "Only the group of this exact name" };
        var pageSize = CommonOptions.PageSize();
        var nextToken = CommonOptions.NextToken();
        var command = new Command("list", "List groups") { name, pageSize, nextToken };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var page = await client.Iam.Groups.ListAsync(parseResult.GetValue(name), parseResult.GetValue(pageSize), parseResult.GetValue(nextToken), cancellationToken).ConfigureAwait(false);
            output.Write(page, PrincipalView.GroupPage);
            Paging.HintNextPage(context, output, page.NextToken);
        });
        return command;
    }

    private static Command Get(CliContext context)
    {
        var group = CommonOptions.Id("Group id or name");
        var command = new Command("get", "Show one group") { group };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
            output.Write(await IamNames.ResolveGroupAsync(client, parseResult.GetValue(group)!, cancellationToken).ConfigureAwait(false), PrincipalView.Group));
        return command;
    }

    private static Command Membership(CliContext context, string verb, string description, bool add)
    {
        var group = new Option<string>("--group") { Description = "Group id or name", Required = true };
        var user = new Option<string>("--user") { Description = "User name", Required = true };
        var command = new Command(verb, description) { group, user };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var target = await IamNames.ResolveGroupAsync(client, parseResult.GetValue(group)!, cancellationToken).ConfigureAwait(false);
            var userName = parseResult.GetValue(user)!;
            var updated = add
                ? await client.Iam.Groups.AddUserAsync(target.Id, userName, cancellationToken).ConfigureAwait(false)
                : await client.Iam.Groups.RemoveUserAsync(target.Id, userName, cancellationToken).ConfigureAwait(false);
            output.Write(updated, PrincipalView.Group);
        });
        return command;
    }

    private static Command PolicyAttachment(CliContext context, string verb, string description, bool attach)
    {
        var group = new Option<string>("--group") { Description = "Group id or name", Required = true };
        var policy = new Option<string>("--policy") { Description = "Built-in policy name, policy name or id (pol-...)", Required = true };
        var command = new Command(verb, description) { group, policy };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var target = await IamNames.ResolveGroupAsync(client, parseResult.GetValue(group)!, cancellationToken).ConfigureAwait(false);
            var policyName = parseResult.GetValue(policy)!;
            var updated = attach
                ? await client.Iam.Groups.AttachPolicyAsync(target.Id, policyName, cancellationToken).ConfigureAwait(false)
                : await client.Iam.Groups.DetachPolicyAsync(target.Id, policyName, cancellationToken).ConfigureAwait(false);
            if (output.IsTable)
            {
                output.Message(attach ? $"attached policy {policyName} to group {updated.Name}" : $"detached policy {policyName} from group {updated.Name}");
            }
            else
            {
                output.Write(updated, PrincipalView.Group);
            }
        });
        return command;
    }

    private static Command Delete(CliContext context)
    {
        var group = CommonOptions.Id("Group id or name");
        var command = new Command("delete", "Delete an empty group") { group };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var target = await IamNames.ResolveGroupAsync(client, parseResult.GetValue(group)!, cancellationToken).ConfigureAwait(false);
            await client.Iam.Groups.DeleteAsync(target.Id, cancellationToken).ConfigureAwait(false);
            output.Message($"deleted group {target.Name}");
        });
        return command;
    }
}
