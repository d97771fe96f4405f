using System.CommandLine;
using Nimbus.Cli.Views;
using Nimbus.Contracts.Iam;

namespace Nimbus.Cli.Commands;

/// <summary><c>nimbus sts assume-role|get-session-token|revoke-session</c>.</summary>
internal static class StsCommands
{
    public static Command CreateService(CliContext context) =>
        new("sts", "Temporary credentials") { AssumeRole(context), GetSessionToken(context), RevokeSession(context) };

    private static Command RevokeSession(CliContext context)
    {
        var accessKeyId = new Option<string>("--access-key-id") { Description = "Access key id (NSIA...) of the temporary credentials to revoke", Required = true };
        var command = new Command("revoke-session", "Revoke one set of temporary credentials of your account") { accessKeyId };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var session = await client.Sts.RevokeSessionAsync(parseResult.GetValue(accessKeyId)!, cancellationToken).ConfigureAwait(false);
            if (output.IsTable)
            {
                output.Message($"revoked session {session.AccessKeyId} ({session.Principal})");
            }
            else
            {
                output.Write(session, RoleView.Session);
            }
        });
        return command;
    }

    private static Command GetSessionToken(CliContext context)
    {
        var duration = new Option<int?>("--duration") { Description = "Seconds, 900 to 43200 (default 3600)" };
        var code = new Option<string?>("--mfa-code") { Description = "Current code of your MFA device: the session then satisfies MFA conditions" };
        var export = new Option<bool>("--export") { Description = "Print shell 'export NIMBUS_...=' lines to eval instead of a table" };
        var command = new Command("get-session-token", "Temporary credentials for yourself, MFA-authenticated with --mfa-code") { duration, code, export };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var credentials = await client.Sts.GetSessionTokenAsync(
                new GetSessionTokenRequest { DurationSeconds = parseResult.GetValue(duration), MfaCode = parseResult.GetValue(code) },
                cancellationToken).ConfigureAwait(false);
            Print(context, output, credentials, parseResult.GetValue(export));
        });
        return command;
    }

    private static void Print(CliContext context, Output.OutputWriter output, TemporaryCredentialsDto credentials, bool export)
    {
        if (export)
        {
            context.Stdout.WriteLine($"export NIMBUS_ACCESS_KEY_ID={credentials.AccessKeyId}");
            context.Stdout.WriteLine($"export NIMBUS_SECRET_ACCESS_KEY={credentials.SecretAccessKey}");
            context.Stdout.WriteLine($"export NIMBUS_SESSION_TOKEN={credentials.SessionToken}");
            return;
        }

        output.Write(credentials, RoleView.Credentials);
    }

    private static Command AssumeRole(CliContext context)
    {
        var role = new Option<string>("--role") { Description = "Role NRN, or its name in your account", Required = true };
        var sessionName = new Option<string>("--session-name") { Description = "Names the session in the audit trail", Required = true };
        var duration = new Option<int?>("--duration") { Description = "Seconds, 900 to the role's maximum (default 3600)" };
        var policy = new Option<string?>("--policy") { Description = "File holding a session policy that narrows the role", HelpName = "file" };
        var export = new Option<bool>("--export") { Description = "Print shell 'export NIMBUS_...=' lines to eval instead of a table" };
        var command = new Command("assume-role", "Assume a role: print temporary credentials") { role, sessionName, duration, policy, export };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var policyFile = parseResult.GetValue(policy);
            var credentials = await client.Sts.AssumeRoleAsync(
                new AssumeRoleRequest
                {
                    Role = parseResult.GetValue(role),
                    SessionName = parseResult.GetValue(sessionName),
                    DurationSeconds = parseResult.GetValue(duration),
                    Policy = policyFile is null ? null : await PolicyDocumentFile.ReadAsync(context, policyFile, cancellationToken).ConfigureAwait(false),
                },
                cancellationToken).ConfigureAwait(false);
            Print(context, output, credentials, parseResult.GetValue(export));
        });
        return command;
    }
}
