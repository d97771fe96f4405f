using System.CommandLine;
using System.Net;
using Nimbus.Cli.Views;
using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Iam;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk;

namespace Nimbus.Cli.Commands;

/// <summary><c>nimbus iam role create|list|get|attach-policy|detach-policy|revoke-sessions|list-sessions|delete|put-policy|get-policy|list-policies|delete-policy</c>.</summary>
internal static class RoleCommands
{
    public static Command Create(CliContext context) =>
        new Command("role", "Roles that users and CI systems assume for temporary credentials")
        {
            CreateRole(context),
            List(context),
            Get(context),
            Attachment(context, "attach-policy", "Attach a managed policy to a role", attach: true),
            Attachment(context, "detach-policy", "Detach a managed policy from a role", attach: false),
            RevokeSessions(context),
            ListSessions(context),
            Delete(context),
        }.WithSubcommands(InlinePolicyCommands.All(context, InlinePolicyCommands.Role));

    public static async Task<ResourceDto> ResolveAsync(NimbusClient client, string idOrName, CancellationToken cancellationToken) =>
        idOrName.StartsWith("rol-", StringComparison.Ordinal)
            ? await client.Iam.Roles.GetAsync(idOrName, cancellationToken).ConfigureAwait(false)
            : await client.Iam.Roles.FindByNameAsync(idOrName, cancellationToken).ConfigureAwait(false)
                ?? throw new NimbusApiException(HttpStatusCode.NotFound, new ProblemDto { Status = 404, Code = ErrorCodes.NotFound, Detail = $"Role '{idOrName}' was not found." });

    private static Command CreateRole(CliContext context)
    {
        var name = new Option<string>("--name") { Description = "Role name", Required = true };
        var trust = new Option<string>("--trust-policy") { Description = "File holding the trust policy (JSON); - reads standard input", Required = true, HelpName = "file" };
        var maxSession = new Option<int?>("--max-session-duration") { Description = "Longest session in seconds, 900 to 43200 (default 3600)" };
        var path = new Option<string?>("--path") { Description = "Path such as /ci/ (default /)" };
        var command = new Command("create", "Create a role") { name, trust, maxSession, path };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var document = await PolicyDocumentFile.ReadAsync(context, parseResult.GetValue(trust)!, cancellationToken).ConfigureAwait(false);
            var role = await client.Iam.Roles.CreateAsync(
                new CreateRoleRequest { Name = parseResult.GetValue(name), TrustPolicy = document, MaxSessionDurationSeconds = parseResult.GetValue(maxSession), Path = parseResult.GetValue(path) },
                cancellationToken).ConfigureAwait(false);
            output.Write(role, RoleView.One);
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var pageSize = CommonOptions.PageSize();
        var nextToken = CommonOptions.NextToken();
        var command = new Command("list", "List roles") { pageSize, nextToken };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var page = await client.Iam.Roles.ListAsync(null, parseResult.GetValue(pageSize), parseResult.GetValue(nextToken), cancellationToken).ConfigureAwait(false);
            output.Write(page, RoleView.Page);
            Paging.HintNextPage(context, output, page.NextToken);
        });
        return command;
    }

    private static Command Get(CliContext context)
    {
        var role = CommonOptions.Id("Role id or name");
        var command = new Command("get", "Show one role") { role };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
            output.Write(await ResolveAsync(client, parseResult.GetValue(role)!, cancellationToken).ConfigureAwait(false), RoleView.One));
        return command;
    }

    private static Command Attachment(CliContext context, string verb, string description, bool attach)
    {
        var role = new Option<string>("--role") { Description = "Role id or name", Required = true };
        var policy = new Option<string>("--policy") { Description = "Built-in policy name, policy name or id", Required = true };
        var command = new Command(verb, description) { role, policy };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var target = await ResolveAsync(client, parseResult.GetValue(role)!, cancellationToken).ConfigureAwait(false);
            var updated = attach
                ? await client.Iam.Roles.AttachPolicyAsync(target.Id, parseResult.GetValue(policy)!, cancellationToken).ConfigureAwait(false)
                : await client.Iam.Roles.DetachPolicyAsync(target.Id, parseResult.GetValue(policy)!, cancellationToken).ConfigureAwait(false);
            output.Write(updated, RoleView.One);
        });
        return command;
    }

    private static Command RevokeSessions(CliContext context)
    {
        var role = new Option<string>("--role") { Description = "Role id or name", Required = true };
        var command = new Command("revoke-sessions", "Revoke every session of a role issued until now (new sessions still work)") { role };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var target = await ResolveAsync(client, parseResult.GetValue(role)!, cancellationToken).ConfigureAwait(false);
            var updated = await client.Iam.Roles.RevokeSessionsAsync(target.Id, cancellationToken).ConfigureAwait(false);
            if (output.IsTable)
            {
                output.Message($"revoked the sessions of role {updated.Name} issued until {updated.Spec.GetProperty("sessionsRevokedBefore").GetString()}");
            }
            else
            {
                output.Write(updated, RoleView.One);
            }
        });
        return command;
    }

    private static Command ListSessions(CliContext context)
    {
        var role = new Option<string>("--role") { Description = "Role id or name", Required = true };
        var command = new Command("list-sessions", "List a role's active sessions (not expired, not revoked)") { role };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var target = await ResolveAsync(client, parseResult.GetValue(role)!, cancellationToken).ConfigureAwait(false);
            var sessions = await client.Iam.Roles.ListSessionsAsync(target.Id, cancellationToken).ConfigureAwait(false);
            output.Write(new PageDto<SessionDto> { Items = sessions }, RoleView.Sessions);
        });
        return command;
    }

    private static Command Delete(CliContext context)
    {
        var role = CommonOptions.Id("Role id or name");
        var command = new Command("delete", "Delete a role; its sessions stop working at once") { role };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var target = await ResolveAsync(client, parseResult.GetValue(role)!, cancellationToken).ConfigureAwait(false);
            await client.Iam.Roles.DeleteAsync(target.Id, cancellationToken).ConfigureAwait(false);
            output.Message($"deleted role {target.Name}");
        });
        return command;
    }
}
