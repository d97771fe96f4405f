using System.CommandLine;
using Nimbus.Cli.Output;
using Nimbus.Contracts.Iam;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk;

namespace Nimbus.Cli.Commands;

/// <summary>
/// <c>put-policy|get-policy|list-policies|delete-policy</c> under <c>nimbus iam user|group|role</c>: inline
/// policies, which belong to one principal only.
/// </summary>
internal static class InlinePolicyCommands
{
    public static readonly InlinePolicyTarget User = new(
        "user",
        "User id or name",
        Views.PrincipalView.User,
        IamNames.ResolveUserAsync,
        (client, id, name, document, ct) => client.Iam.Users.PutPolicyAsync(id, name, document, ct),
        (client, id, name, ct) => client.Iam.Users.GetPolicyAsync(id, name, ct),
        (client, id, ct) => client.Iam.Users.ListPoliciesAsync(id, ct),
        (client, id, name, ct) => client.Iam.Users.DeletePolicyAsync(id, name, ct));

    public static readonly InlinePolicyTarget Group = new(
        "group",
        "Group id or name",
        Views.PrincipalView.Group,
        IamNames.ResolveGroupAsync,
        (client, id, name, document, ct) => client.Iam.Groups.PutPolicyAsync(id, name, document, ct),
        (client, id, name, ct) => client.Iam.Groups.GetPolicyAsync(id, name, ct),
        (client, id, ct) => client.Iam.Groups.ListPoliciesAsync(id, ct),
        (client, id, name, ct) => client.Iam.Groups.DeletePolicyAsync(id, name, ct));

    public static readonly InlinePolicyTarget Role = new(
        "role",
        "Role id or name",
        Views.RoleView.One,
        RoleCommands.ResolveAsync,
        (client, id, name, document, ct) => client.Iam.Roles.PutPolicyAsync(id, name, document, ct),
        (client, id, name, ct) => client.Iam.Roles.GetPolicyAsync(id, name, ct),
        (client, id, ct) => client.Iam.Roles.ListPoliciesAsync(id, ct),
        (client, id, name, ct) => client.Iam.Roles.DeletePolicyAsync(id, name, ct));

    /// <summary>The four commands for one kind of principal.</summary>
    public static IEnumerable<Command> All(CliContext context, InlinePolicyTarget target) =>
        [Put(context, target), Get(context, target), List(context, target), Delete(context, target)];

    private static Option<string> Principal(InlinePolicyTarget target) => new("--" + target.Noun) { Description = target.Description, Required = true };

    private static Option<string> Name() => new("--name") { Description = "Inline policy name", Required = true };

    private static Command Put(CliContext context, InlinePolicyTarget target)
    {
        var principal = Principal(target);
        var name = Name();
        var document = new Option<string>("--document") { Description = "File holding the policy document (JSON); - reads stdin", HelpName = "file", Required = true };
        var command = new Command("put-policy", $"Create or replace an inline policy of a {target.Noun} (at most 10)") { principal, name, document };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var text = await PolicyDocumentFile.ReadAsync(context, parseResult.GetValue(document)!, cancellationToken).ConfigureAwait(false);
            var found = await target.ResolveAsync(client, parseResult.GetValue(principal)!, cancellationToken).ConfigureAwait(false);
            var policyName = parseResult.GetValue(name)!;
            var updated = await target.PutAsync(client, found.Id, policyName, text, cancellationToken).ConfigureAwait(false);
            WriteResult(output, target, updated, $"put inline policy {policyName} on {target.Noun} {updated.Name}");
        });
        return command;
    }

    private static Command Get(CliContext context, InlinePolicyTarget target)
    {
        var principal = Principal(target);
        var name = Name();
        var command = new Command("get-policy", $"Print an inline policy of a {target.Noun}: the document as written (JSON or YAML with --output)") { principal, name };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var found = await target.ResolveAsync(client, parseResult.GetValue(principal)!, cancellationToken).ConfigureAwait(false);
            var policy = await target.GetAsync(client, found.Id, parseResult.GetValue(name)!, cancellationToken).ConfigureAwait(false);
            if (output.IsTable)
            {
                // Byte for byte, so `get-policy > file` and `put-policy --document file` round-trip.
                context.Stdout.Write(policy.Document);
                if (!policy.Document.EndsWith('\n'))
                {
                    context.Stdout.WriteLine();
                }
            }
            else
            {
                output.Write(policy, p => Documents([p]));
            }
        });
        return command;
    }

    private static Command List(CliContext context, InlinePolicyTarget target)
    {
        var principal = Principal(target);
        var command = new Command("list-policies", $"List the inline policies of a {target.Noun}") { principal };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var found = await target.ResolveAsync(client, parseResult.GetValue(principal)!, cancellationToken).ConfigureAwait(false);
            var policies = await target.ListAsync(client, found.Id, cancellationToken).ConfigureAwait(false);
            output.Write(new PageDto<InlinePolicyDto> { Items = policies }, page => Documents(page.Items));
        });
        return command;
    }

    private static Command Delete(CliContext context, InlinePolicyTarget target)
    {
        var principal = Principal(target);
        var name = Name();
        var command = new Command("delete-policy", $"Delete an inline policy of a {target.Noun}") { principal, name };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var found = await target.ResolveAsync(client, parseResult.GetValue(principal)!, cancellationToken).ConfigureAwait(false);
            var policyName = parseResult.GetValue(name)!;
            var updated = await target.DeleteAsync(client, found.Id, policyName, cancellationToken).ConfigureAwait(false);
            WriteResult(output, target, updated, $"deleted inline policy {policyName} of {target.Noun} {updated.Name}");
        });
        return command;
    }

    private static void WriteResult(OutputWriter output, InlinePolicyTarget target, ResourceDto updated, string message)
    {
        if (output.IsTable)
        {
            output.Message(message);
        }
        else
        {
            output.Write(updated, target.View);
        }
    }

    private static Table Documents(IEnumerable<InlinePolicyDto> policies)
    {
        var table = new Table("NAME", "STATEMENTS", "BYTES");
        foreach (var policy in policies)
        {
            table.AddRow(policy.Name, StatementCount(policy.Document), System.Text.Encoding.UTF8.GetByteCount(policy.Document).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return table;
    }

    private static string StatementCount(string document)
    {
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(document);
            return json.RootElement.TryGetProperty("Statement", out var statement)
                ? (statement.ValueKind == System.Text.Json.JsonValueKind.Array ? statement.GetArrayLength() : 1).ToString(System.Globalization.CultureInfo.InvariantCulture)
                : "0";
        }
        catch (System.Text.Json.JsonException)
        {
            return "?";
        }
    }
}

/// <summary>What the inline-policy commands need to know about one kind of principal.</summary>
internal sealed record InlinePolicyTarget(
    string Noun,
    string Description,
    Func<ResourceDto, Table> View,
    Func<NimbusClient, string, CancellationToken, Task<ResourceDto>> ResolveAsync,
    Func<NimbusClient, string, string, string, CancellationToken, Task<ResourceDto>> PutAsync,
    Func<NimbusClient, string, string, CancellationToken, Task<InlinePolicyDto>> GetAsync,
    Func<NimbusClient, string, CancellationToken, Task<IReadOnlyList<InlinePolicyDto>>> ListAsync,
    Func<NimbusClient, string, string, CancellationToken, Task<ResourceDto>> DeleteAsync);
