using System.CommandLine;
using Nimbus.Cli.Views;

namespace Nimbus.Cli.Commands;

/// <summary><c>nimbus quota list|set</c>.</summary>
internal static class QuotaCommands
{
    public static Command CreateService(CliContext context) =>
        new("quota", "Quota limits and usage per account")
        {
            List(context),
            Set(context),
        };

    private static Option<string?> Account(string description) => new("--account") { Description = description, HelpName = "id" };

    private static Command List(CliContext context)
    {
        var account = Account("Account to show (default: yours; another account needs a platform administrator)");
        var command = new Command("list", "List quotas with their usage and limits (* marks a limit set for the account)") { account };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var list = await client.Quotas.ListAsync(parseResult.GetValue(account), cancellationToken).ConfigureAwait(false);
            output.Write(list, QuotaView.List);
        });
        return command;
    }

    private static Command Set(CliContext context)
    {
        var code = new Option<string>("--code") { Description = "Quota code, e.g. demo.widgets", HelpName = "code", Required = true };
        var limit = new Option<long>("--limit") { Description = "New limit (0 or more); below usage it blocks new creates and removes nothing", HelpName = "count", Required = true };
        limit.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (!long.TryParse(token.Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
                {
                    result.AddError($"--limit must be a whole number of 0 or more, not '{token.Value}'.");
                }
            }
        });
        var account = Account("Account whose limit is set (default: yours)");
        var command = new Command("set", "Set an account's limit of one quota (platform administrators only)") { code, limit, account };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var quota = await client.Quotas.SetAsync(parseResult.GetValue(code)!, parseResult.GetValue(limit), parseResult.GetValue(account), cancellationToken).ConfigureAwait(false);
            output.Write(quota, QuotaView.One);
        });
        return command;
    }
}
