using System.CommandLine;
using System.CommandLine.Parsing;
using Nimbus.Cli.Views;
using Nimbus.Contracts.Iam;

namespace Nimbus.Cli.Commands;

/// <summary><c>nimbus iam policy create|list|get|create-version|delete|simulate</c>.</summary>
internal static class PolicyCommands
{
    public static Command Create(CliContext context) =>
        new("policy", "Managed policies: what users and groups are allowed to do")
        {
            CreatePolicy(context),
            List(context),
            Get(context),
            CreateVersion(context),
            Delete(context),
            Simulate(context),
        };

    private static Option<string> Document(string description) =>
        new("--document") { Description = description, HelpName = "file", Required = true };

    private static Command CreatePolicy(CliContext context)
    {
        var name = new Option<string>("--name") { Description = "Policy name (letters, digits, + = , . @ _ -)", Required = true };
        var document = Document("File holding the policy document (JSON); - reads stdin");
        var description = new Option<string?>("--description") { Description = "What the policy is for" };
        var command = new Command("create", "Create a policy; the document becomes its default version v1") { name, document, description };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var text = await PolicyDocumentFile.ReadAsync(context, parseResult.GetValue(document)!, cancellationToken).ConfigureAwait(false);
            var created = await client.Iam.Policies.CreateAsync(
                new CreatePolicyRequest { Name = parseResult.GetValue(name), Description = parseResult.GetValue(description), Document = text },
                cancellationToken).ConfigureAwait(false);
            output.Write(created, PolicyView.Policy);
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var builtIn = new Option<bool>("--builtin") { Description = "List the built-in policies instead of your account's" };
        var name = new Option<string?>("--name") { Description = "Only the policy of this exact name" };
        var pageSize = CommonOptions.PageSize();
        var nextToken = CommonOptions.NextToken();
        var command = new Command("list", "List your account's policies, or the built-in ones") { builtIn, name, pageSize, nextToken };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            if (parseResult.GetValue(builtIn))
            {
                output.Write(await client.Iam.Policies.ListBuiltInAsync(cancellationToken).ConfigureAwait(false), PolicyView.BuiltInPage);
                return;
            }

            var page = await client.Iam.Policies.ListAsync(parseResult.GetValue(name), parseResult.GetValue(pageSize), parseResult.GetValue(nextToken), cancellationToken).ConfigureAwait(false);
            output.Write(page, PolicyView.Page);
            Paging.HintNextPage(context, output, page.NextToken);
        });
        return command;
    }

    private static Command Get(CliContext context)
    {
        var policy = CommonOptions.Id("Policy id (pol-...) or name, or a built-in policy name");
        var document = new Option<bool>("--document") { Description = "Print only the document of the default version, as written" };
        var command = new Command("get", "Show one policy") { policy, document };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var idOrName = parseResult.GetValue(policy)!;
            var showDocument = parseResult.GetValue(document);
            var found = idOrName.StartsWith("pol-", StringComparison.Ordinal)
                ? await client.Iam.Policies.GetAsync(idOrName, cancellationToken).ConfigureAwait(false)
                : await client.Iam.Policies.FindByNameAsync(idOrName, cancellationToken).ConfigureAwait(false);
            if (found is null)
            {
                // Customer policies may not take a built-in name, so a name that is not the account's can only be a built-in.
                var builtIns = await client.Iam.Policies.ListBuiltInAsync(cancellationToken).ConfigureAwait(false);
                if (builtIns.Items.FirstOrDefault(p => p.Name == idOrName) is { } builtIn)
                {
                    if (showDocument)
                    {
                        WriteDocument(context, builtIn.Document);
                    }
                    else
                    {
                        output.Write(builtIn, PolicyView.BuiltIn);
                    }

                    return;
                }

                throw IamNames.NotFound("Policy", idOrName);
            }

            if (showDocument)
            {
                WriteDocument(context, PolicyView.DefaultDocument(found) ?? throw new CliUsageException($"policy {found.Name} has no default version"));
            }
            else
            {
                output.Write(found, PolicyView.Policy);
            }
        });
        return command;
    }

    // The document goes out byte for byte (plus a final newline if it lacks one), whatever --output says,
    // so `get --document > file` and `create-version --document file` round-trip.
    private static void WriteDocument(CliContext context, string text)
    {
        context.Stdout.Write(text);
        if (!text.EndsWith('\n'))
        {
            context.Stdout.WriteLine();
        }
    }

    private static Command CreateVersion(CliContext context)
    {
        var policy = CommonOptions.Id("Policy id (pol-...) or name");
        var document = Document("File holding the new document (JSON); - reads stdin");
        var noDefault = new Option<bool>("--no-default") { Description = "Store the version without making it the one in force" };
        var command = new Command("create-version", "Add a version to a policy (at most 5 are kept)") { policy, document, noDefault };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var text = await PolicyDocumentFile.ReadAsync(context, parseResult.GetValue(document)!, cancellationToken).ConfigureAwait(false);
            var found = await IamNames.ResolvePolicyAsync(client, parseResult.GetValue(policy)!, cancellationToken).ConfigureAwait(false);
            var updated = await client.Iam.Policies.CreateVersionAsync(
                found.Id,
                new CreatePolicyVersionRequest { Document = text, SetAsDefault = !parseResult.GetValue(noDefault) },
                cancellationToken).ConfigureAwait(false);
            output.Write(updated, PolicyView.Policy);
        });
        return command;
    }

    private static Command Delete(CliContext context)
    {
        var policy = CommonOptions.Id("Policy id (pol-...) or name");
        var command = new Command("delete", "Delete a policy (once detached from every user and group)") { policy };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var found = await IamNames.ResolvePolicyAsync(client, parseResult.GetValue(policy)!, cancellationToken).ConfigureAwait(false);
            await client.Iam.Policies.DeleteAsync(found.Id, cancellationToken).ConfigureAwait(false);
            output.Message($"deleted policy {found.Name}");
        });
        return command;
    }

    private static Command Simulate(CliContext context)
    {
        var user = new Option<string?>("--user") { Description = "User whose policies are evaluated (with its groups')", HelpName = "name" };
        var role = new Option<string?>("--role") { Description = "Role whose policies are evaluated, as for a session of it (instead of --user)", HelpName = "name" };
        var actions = new Option<string[]>("--action") { Description = "Action to try, e.g. iam:ListUsers; repeatable", HelpName = "action", Required = true, AllowMultipleArgumentsPerToken = false };
        var resources = new Option<string[]>("--resource") { Description = "Resource NRN to try; repeatable (default *)", HelpName = "nrn", AllowMultipleArgumentsPerToken = false };
        var conditions = new Option<string[]>("--context") { Description = "Condition key and value, e.g. nimbus:SourceIp=10.0.0.5; repeatable, a repeated key adds a value", HelpName = "key=value", AllowMultipleArgumentsPerToken = false };
        conditions.Validators.Add(ValidateContext);
        var command = new Command("simulate", "Show whether a user's or role's policies allow actions (exit 0 whatever the decision)") { user, role, actions, resources, conditions };
        command.Validators.Add(result =>
        {
            if ((result.GetValue(user) is null) == (result.GetValue(role) is null))
            {
                result.AddError("Give exactly one of --user and --role.");
            }
        });
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var resourceList = parseResult.GetValue(resources);
            var response = await client.Iam.Policies.SimulateAsync(
                new SimulatePolicyRequest
                {
                    UserName = parseResult.GetValue(user),
                    RoleName = parseResult.GetValue(role),
                    Actions = parseResult.GetValue(actions),
                    Resources = resourceList is { Length: > 0 } ? resourceList : null,
                    Context = ParseContext(parseResult.GetValue(conditions)),
                },
                cancellationToken).ConfigureAwait(false);
            output.Write(response, PolicyView.Simulation);
        });
        return command;
    }

    private static Dictionary<string, IReadOnlyList<string>>? ParseContext(string[]? values)
    {
        if (values is null || values.Length == 0)
        {
            return null;
        }

        var context = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            var equals = value.IndexOf('=');
            var key = value[..equals];
            if (!context.TryGetValue(key, out var list))
            {
                context[key] = list = [];
            }

            list.Add(value[(equals + 1)..]);
        }

        return context.ToDictionary(pair => pair.Key, pair => (IReadOnlyList<string>)pair.Value, StringComparer.Ordinal);
    }

    private static void ValidateContext(OptionResult result)
    {
        foreach (var token in result.Tokens)
        {
            if (token.Value.IndexOf('=') <= 0)
            {
                result.AddError($"Context '{token.Value}' must be key=value with a non-empty key.");
            }
        }
    }
}
