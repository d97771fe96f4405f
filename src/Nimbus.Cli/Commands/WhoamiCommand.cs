using System.CommandLine;
using Nimbus.Cli.Views;

namespace Nimbus.Cli.Commands;

/// <summary><c>nimbus whoami</c>: who the configured credentials authenticate as.</summary>
internal static class WhoamiCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("whoami", "Show the account, user and access key the credentials authenticate as");
        context.SetApiAction(command, async (_, client, output, cancellationToken) =>
        {
            var identity = await client.Sts.GetCallerIdentityAsync(cancellationToken).ConfigureAwait(false);
            output.Write(identity, CallerIdentityView.One);
        });
        return command;
    }
}
