using System.CommandLine;
using Nimbus.Cli.Views;
using Nimbus.Contracts.Iam;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk;

namespace Nimbus.Cli.Commands;

/// <summary><c>nimbus iam access-key create|list|get|deactivate|activate|delete</c>.</summary>
internal static class AccessKeyCommands
{
    public static Command CreateService(CliContext context) =>
        new("iam", "Identity and access management")
        {
            CreateResource(context),
            UserCommands.Create(context),
            GroupCommands.Create(context),
            PolicyCommands.Create(context),
            AccountCommands.Create(context),
            RoleCommands.Create(context),
            MfaCommands.Create(context),
        };

    private static Command CreateResource(CliContext context) =>
        new("access-key", "Access keys that sign API requests")
        {
            Create(context),
            List(context),
            Single(context, "get", "Show one access key", (c, id, ct) => c.Iam.AccessKeys.GetAsync(id, ct)),
            Single(context, "deactivate", "Refuse requests signed with a key until it is activated", (c, id, ct) => c.Iam.AccessKeys.DeactivateAsync(id, ct)),
            Single(context, "activate", "Accept requests signed with a deactivated key again", (c, id, ct) => c.Iam.AccessKeys.ActivateAsync(id, ct)),
            Delete(context),
        };

    private static Command Create(CliContext context)
    {
        var user = new Option<string?>("--user") { Description = "User to create the key for (default: you)", HelpName = "name" };
        var command = new Command("create", "Create an access key; its secret is shown only this once") { user };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var created = await client.Iam.AccessKeys.CreateAsync(parseResult.GetValue(user), cancellationToken: cancellationToken).ConfigureAwait(false);
            output.Write(created, AccessKeyView.Created);
            context.Stderr.WriteLine("warning: this is the only time the secret access key is shown; store it now, it cannot be retrieved later.");
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var user = new Option<string?>("--user") { Description = "Only keys of this user (default: yours)", HelpName = "name" };
        var pageSize = CommonOptions.PageSize();
        var nextToken = CommonOptions.NextToken();
        var all = CommonOptions.All();
        var command = new Command("list", "List access keys") { user, pageSize, nextToken, all };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var keys = client.Iam.AccessKeys;
            PageDto<AccessKeyDto> page;
            if (parseResult.GetValue(all))
            {
                var items = new List<AccessKeyDto>();
                await foreach (var key in keys.ListAllAsync(parseResult.GetValue(user), parseResult.GetValue(pageSize), cancellationToken).ConfigureAwait(false))
                {
                    items.Add(key);
                }

                page = new PageDto<AccessKeyDto> { Items = items };
            }
            else
            {
                page = await keys.ListAsync(parseResult.GetValue(user), parseResult.GetValue(pageSize), parseResult.GetValue(nextToken), cancellationToken).ConfigureAwait(false);
            }

            output.Write(page, AccessKeyView.Page);
            Paging.HintNextPage(context, output, page.NextToken);
        });
        return command;
    }

    private static Command Single(CliContext context, string verb, string description, Func<NimbusClient, string, CancellationToken, Task<AccessKeyDto>> call)
    {
        var id = CommonOptions.Id("Access key id");
        var command = new Command(verb, description) { id };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var key = await call(client, parseResult.GetValue(id)!, cancellationToken).ConfigureAwait(false);
            output.Write(key, AccessKeyView.One);
        });
        return command;
    }

    private static Command Delete(CliContext context)
    {
        var id = CommonOptions.Id("Access key id");
        var command = new Command("delete", "Delete an access key for good") { id };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var accessKeyId = parseResult.GetValue(id)!;
            await client.Iam.AccessKeys.DeleteAsync(accessKeyId, cancellationToken).ConfigureAwait(false);
            output.Message($"deleted access key {accessKeyId}");
        });
        return command;
    }
}
