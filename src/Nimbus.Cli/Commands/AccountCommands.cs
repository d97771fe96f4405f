using System.CommandLine;
using Nimbus.Cli.Views;

namespace Nimbus.Cli.Commands;

/// <summary><c>nimbus iam account create|list|get</c>.</summary>
internal static class AccountCommands
{
    public static Command Create(CliContext context) =>
        new("account", "Accounts (tenants); platform administrators create them")
        {
            CreateAccount(context),
            List(context),
            Get(context),
        };

    private static Command CreateAccount(CliContext context)
    {
        var name = new Option<string>("--name") { Description = "Account name, unique on the platform", Required = true };
        var command = new Command("create", "Create an account with a root user; prints the root access key once") { name };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var created = await client.Iam.Accounts.CreateAsync(parseResult.GetValue(name)!, cancellationToken).ConfigureAwait(false);
            output.Write(created, PrincipalView.CreatedAccount);
            context.Stderr.WriteLine("warning: this is the only time the root secret access key is shown; store it now, it cannot be retrieved later.");
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var pageSize = CommonOptions.PageSize();
        var nextToken = CommonOptions.NextToken();
        var command = new Command("list", "List accounts (all of them for platform administrators)") { pageSize, nextToken };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var page = await client.Iam.Accounts.ListAsync(parseResult.GetValue(pageSize), parseResult.GetValue(nextToken), cancellationToken).ConfigureAwait(false);
            output.Write(page, PrincipalView.AccountPage);
            Paging.HintNextPage(context, output, page.NextToken);
        });
        return command;
    }

    private static Command Get(CliContext context)
    {
        var id = CommonOptions.Id("12-digit account id");
        var command = new Command("get", "Show one account") { id };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
            output.Write(await client.Iam.Accounts.GetAsync(parseResult.GetValue(id)!, cancellationToken).ConfigureAwait(false), PrincipalView.Account));
        return command;
    }
}
