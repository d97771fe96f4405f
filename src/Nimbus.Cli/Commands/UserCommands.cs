using System.CommandLine;
using Nimbus.Cli.Views;
using Nimbus.Contracts.Iam;

namespace Nimbus.Cli.Commands;

/// <summary><c>nimbus iam user create|list|get|update|set-password|attach-policy|detach-policy|delete|put-policy|get-policy|list-policies|delete-policy</c>.</summary>
internal static class UserCommands
{
    public static Command Create(CliContext context) =>
        new Command("user", "Users of your account")
        {
            CreateUser(context),
            List(context),
            Get(context),
            Update(context),
            SetPassword(context),
            PolicyAttachment(context, "attach-policy", "Attach a managed policy to a user", attach: true),
            PolicyAttachment(context, "detach-policy", "Detach a managed policy from a user", attach: false),
            Delete(context),
        }.WithSubcommands(InlinePolicyCommands.All(context, InlinePolicyCommands.User));

    private static Command CreateUser(CliContext context)
    {
        var name = new Option<string>("--name") { Description = "User name (letters, digits, + = , . @ _ -)", Required = true };
        var path = new Option<string?>("--path") { Description = "Path such as /engineering/ (default /)" };
        var password = new Option<string?>("--password") { Description = "Console password (must satisfy the password policy)" };
        var tags = CommonOptions.Tags("Tag as key=value; repeatable");
        var command = new Command("create", "Create a user") { name, path, password, tags };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var user = await client.Iam.Users.CreateAsync(
                new CreateUserRequest
                {
                    Name = parseResult.GetValue(name),
                    Path = parseResult.GetValue(path),
                    Password = parseResult.GetValue(password),
                    Tags = CommonOptions.ParseTags(parseResult.GetValue(tags)),
                },
                cancellationToken).ConfigureAwait(false);
            output.Write(user, PrincipalView.User);
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var name = new Option<string?>("--name") { Description = "Only the user of this exact name" };
        var tags = CommonOptions.Tags("Only users with this tag (key=value); repeatable");
        var pageSize = CommonOptions.PageSize();
        var nextToken = CommonOptions.NextToken();
        var command = new Command("list", "List users") { name, tags, pageSize, nextToken };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var page = await client.Iam.Users.ListAsync(parseResult.GetValue(name), CommonOptions.ParseTags(parseResult.GetValue(tags)), parseResult.GetValue(pageSize), parseResult.GetValue(nextToken), cancellationToken).ConfigureAwait(false);
            output.Write(page, PrincipalView.UserPage);
            Paging.HintNextPage(context, output, page.NextToken);
        });
        return command;
    }

    private static Command Get(CliContext context)
    {
        var user = CommonOptions.Id("User id or name");
        var command = new Command("get", "Show one user") { user };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
            output.Write(await IamNames.ResolveUserAsync(client, parseResult.GetValue(user)!, cancellationToken).ConfigureAwait(false), PrincipalView.User));
        return command;
    }

    private static Command Update(CliContext context)
    {
        var user = CommonOptions.Id("User id or name");
        var path = new Option<string?>("--path") { Description = "New path" };
        var tags = CommonOptions.Tags("Replace the tags with these (key=value); repeatable");
        var command = new Command("update", "Change a user's path or tags") { user, path, tags };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var newTags = CommonOptions.ParseTags(parseResult.GetValue(tags));
            if (parseResult.GetValue(path) is null && newTags is null)
            {
                throw new CliUsageException("nothing to change: give --path or --tag");
            }

            var current = await IamNames.ResolveUserAsync(client, parseResult.GetValue(user)!, cancellationToken).ConfigureAwait(false);
            var updated = await client.Iam.Users.UpdateAsync(current.Id, new UpdateUserRequest { Version = current.Version, Path = parseResult.GetValue(path), Tags = newTags }, cancellationToken).ConfigureAwait(false);
            output.Write(updated, PrincipalView.User);
        });
        return command;
    }

    private static Command SetPassword(CliContext context)
    {
        var user = CommonOptions.Id("User id or name");
        var password = new Option<string>("--password") { Description = "The new console password", Required = true };
        var command = new Command("set-password", "Set or change a user's console password") { user, password };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var current = await IamNames.ResolveUserAsync(client, parseResult.GetValue(user)!, cancellationToken).ConfigureAwait(false);
            await client.Iam.Users.SetPasswordAsync(current.Id, parseResult.GetValue(password)!, cancellationToken).ConfigureAwait(false);
            output.Message($"password set for user {current.Name}");
        });
        return command;
    }

    private static Command PolicyAttachment(CliContext context, string verb, string description, bool attach)
    {
        var user = new Option<string>("--user") { Description = "User id or name", Required = true };
        var policy = new Option<string>("--policy") { Description = "Built-in policy name, policy name or id (pol-...)", Required = true };
        var command = new Command(verb, description) { user, policy };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var target = await IamNames.ResolveUserAsync(client, parseResult.GetValue(user)!, cancellationToken).ConfigureAwait(false);
            var policyName = parseResult.GetValue(policy)!;
            var updated = attach
                ? await client.Iam.Users.AttachPolicyAsync(target.Id, policyName, cancellationToken).ConfigureAwait(false)
                : await client.Iam.Users.DetachPolicyAsync(target.Id, policyName, cancellationToken).ConfigureAwait(false);
            if (output.IsTable)
            {
                output.Message(attach ? $"attached policy {policyName} to user {updated.Name}" : $"detached policy {policyName} from user {updated.Name}");
            }
            else
            {
                output.Write(updated, PrincipalView.User);
            }
        });
        return command;
    }

    private static Command Delete(CliContext context)
    {
        var user = CommonOptions.Id("User id or name");
        var command = new Command("delete", "Delete a user (after its access keys and group memberships)") { user };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var current = await IamNames.ResolveUserAsync(client, parseResult.GetValue(user)!, cancellationToken).ConfigureAwait(false);
            await client.Iam.Users.DeleteAsync(current.Id, cancellationToken).ConfigureAwait(false);
            output.Message($"deleted user {current.Name}");
        });
        return command;
    }
}
