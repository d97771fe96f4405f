using System.CommandLine;
using Nimbus.Cli.Output;
using Nimbus.Contracts.Iam;

namespace Nimbus.Cli.Commands;

/// <summary><c>nimbus iam mfa create|enable|get|delete --user NAME</c>.</summary>
internal static class MfaCommands
{
    public static Command Create(CliContext context) =>
        new("mfa", "Virtual MFA devices (TOTP authenticator apps)")
        {
            CreateDevice(context),
            Enable(context),
            Get(context),
            Delete(context),
        };

    private static Option<string> User() => new("--user") { Description = "User id or name", Required = true };

    private static Command CreateDevice(CliContext context)
    {
        var user = User();
        var command = new Command("create", "Create the user's device; prints the secret and otpauth URI once") { user };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var target = await IamNames.ResolveUserAsync(client, parseResult.GetValue(user)!, cancellationToken).ConfigureAwait(false);
            var created = await client.Iam.Users.CreateMfaDeviceAsync(target.Id, cancellationToken).ConfigureAwait(false);
            output.Write(created, c =>
            {
                var table = new Table("SERIAL", "SECRET (BASE32)", "URI");
                table.AddRow(c.Device.SerialNumber, c.Base32Secret, c.ProvisioningUri);
                return table;
            });
            context.Stderr.WriteLine("next: add the secret to an authenticator app, then run 'nimbus iam mfa enable' with two consecutive codes.");
        });
        return command;
    }

    private static Command Enable(CliContext context)
    {
        var user = User();
        var code1 = new Option<string>("--code1") { Description = "A code from the app", Required = true };
        var code2 = new Option<string>("--code2") { Description = "The next code the app shows", Required = true };
        var command = new Command("enable", "Enable the device with two consecutive codes") { user, code1, code2 };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var target = await IamNames.ResolveUserAsync(client, parseResult.GetValue(user)!, cancellationToken).ConfigureAwait(false);
            output.Write(await client.Iam.Users.EnableMfaDeviceAsync(target.Id, parseResult.GetValue(code1)!, parseResult.GetValue(code2)!, cancellationToken).ConfigureAwait(false), Device);
        });
        return command;
    }

    private static Command Get(CliContext context)
    {
        var user = User();
        var command = new Command("get", "Show the user's device") { user };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var target = await IamNames.ResolveUserAsync(client, parseResult.GetValue(user)!, cancellationToken).ConfigureAwait(false);
            output.Write(await client.Iam.Users.GetMfaDeviceAsync(target.Id, cancellationToken).ConfigureAwait(false), Device);
        });
        return command;
    }

    private static Command Delete(CliContext context)
    {
        var user = User();
        var command = new Command("delete", "Remove the user's device") { user };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var target = await IamNames.ResolveUserAsync(client, parseResult.GetValue(user)!, cancellationToken).ConfigureAwait(false);
            await client.Iam.Users.DeleteMfaDeviceAsync(target.Id, cancellationToken).ConfigureAwait(false);
            output.Message($"removed the MFA device of user {target.Name}");
        });
        return command;
    }

    private static Table Device(MfaDeviceDto device)
    {
        var table = new Table("SERIAL", "USER", "ENABLED", "SINCE");
        table.AddRow(device.SerialNumber, device.UserName, device.Enabled ? "yes" : "no", Views.Cells.Time(device.EnabledAt));
        return table;
    }
}
