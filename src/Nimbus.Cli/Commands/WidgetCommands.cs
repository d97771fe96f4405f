using System.CommandLine;
using Nimbus.Cli.Views;
using Nimbus.Contracts.Demo;
using Nimbus.Contracts.Resources;
using Nimbus.Sdk;
using Nimbus.Sdk.Demo;

namespace Nimbus.Cli.Commands;

/// <summary><c>nimbus demo widget create|list|get|update|delete</c>.</summary>
internal static class WidgetCommands
{
    public static Command CreateService(CliContext context) =>
        new("demo", "The built-in demo service") { CreateResource(context) };

    private static Command CreateResource(CliContext context) =>
        new("widget", "Widgets: each one is a file the controller writes under <data-dir>/widgets")
        {
            Create(context),
            List(context),
            Get(context),
            Update(context),
            Delete(context),
        };

    private static Command Create(CliContext context)
    {
        var name = new Option<string>("--name") { Description = "Widget name, unique in the account", HelpName = "name", Required = true };
        var message = new Option<string>("--message") { Description = "Text written to the widget's file", HelpName = "text", Required = true };
        var copies = Copies();
        var tags = CommonOptions.Tags("Tag to set; repeat for several");
        var wait = CommonOptions.Wait("the widget is ready");
        var timeout = CommonOptions.Timeout();
        var command = new Command("create", "Create a widget") { name, message, copies, tags, wait, timeout };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var request = new CreateWidgetRequest
            {
                Name = parseResult.GetValue(name)!,
                Tags = CommonOptions.ParseTags(parseResult.GetValue(tags)),
                Spec = new WidgetSpec { Message = parseResult.GetValue(message)!, Copies = parseResult.GetValue(copies) ?? 1 },
            };
            var widget = await client.Demo.Widgets.CreateAsync(request, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (parseResult.GetValue(wait))
            {
                widget = await WaitReadyAsync(context, client, widget, minObservedVersion: 0, parseResult.GetValue(timeout), cancellationToken).ConfigureAwait(false);
            }

            output.Write(widget, WidgetView.One);
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var name = new Option<string?>("--name") { Description = "Only the widget of this name", HelpName = "name" };
        var tags = CommonOptions.Tags("Only widgets with this tag; repeat to require several");
        var pageSize = CommonOptions.PageSize();
        var nextToken = CommonOptions.NextToken();
        var all = CommonOptions.All();
        var command = new Command("list", "List widgets") { name, tags, pageSize, nextToken, all };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var widgets = client.Demo.Widgets;
            var tagFilter = CommonOptions.ParseTags(parseResult.GetValue(tags));
            PageDto<ResourceDto> page;
            if (parseResult.GetValue(all))
            {
                var items = new List<ResourceDto>();
                await foreach (var widget in widgets.ListAllAsync(parseResult.GetValue(name), tagFilter, parseResult.GetValue(pageSize), cancellationToken).ConfigureAwait(false))
                {
                    items.Add(widget);
                }

                page = new PageDto<ResourceDto> { Items = items };
            }
            else
            {
                page = await widgets.ListAsync(parseResult.GetValue(name), tagFilter, parseResult.GetValue(pageSize), parseResult.GetValue(nextToken), cancellationToken).ConfigureAwait(false);
            }

            output.Write(page, WidgetView.Page);
            Paging.HintNextPage(context, output, page.NextToken);
        });
        return command;
    }

    private static Command Get(CliContext context)
    {
        var id = CommonOptions.Id("Widget id, e.g. wdg-7f3k2m9q0c1d");
        var command = new Command("get", "Show one widget") { id };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var widget = await client.Demo.Widgets.GetAsync(parseResult.GetValue(id)!, cancellationToken).ConfigureAwait(false);
            output.Write(widget, WidgetView.One);
        });
        return command;
    }

    private static Command Update(CliContext context)
    {
        var id = CommonOptions.Id("Widget id");
        var message = new Option<string?>("--message") { Description = "New text (default: keep)", HelpName = "text" };
        var copies = Copies();
        var tags = CommonOptions.Tags("Replace the tags with these; repeat for several (default: keep)");
        var wait = CommonOptions.Wait("the controller applied the change and the widget is ready");
        var timeout = CommonOptions.Timeout();
        var command = new Command("update", "Change a widget's message, copies or tags") { id, message, copies, tags, wait, timeout };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var newMessage = parseResult.GetValue(message);
            var newCopies = parseResult.GetValue(copies);
            var newTags = CommonOptions.ParseTags(parseResult.GetValue(tags));
            if (newMessage is null && newCopies is null && newTags is null)
            {
                throw new CliUsageException("Nothing to update: give --message, --copies or --tag.");
            }

            // PUT replaces the whole spec under optimistic concurrency: read the current one, change only what was given.
            var widgets = client.Demo.Widgets;
            var current = await widgets.GetAsync(parseResult.GetValue(id)!, cancellationToken).ConfigureAwait(false);
            var spec = current.SpecAs<WidgetSpec>();
            var request = new UpdateWidgetRequest
            {
                Version = current.Version,
                Tags = newTags,
                Spec = spec with { Message = newMessage ?? spec.Message, Copies = newCopies ?? spec.Copies },
            };
            var widget = await widgets.UpdateAsync(current.Id, request, cancellationToken).ConfigureAwait(false);
            if (parseResult.GetValue(wait))
            {
                widget = await WaitReadyAsync(context, client, widget, widget.Version, parseResult.GetValue(timeout), cancellationToken).ConfigureAwait(false);
            }

            output.Write(widget, WidgetView.One);
        });
        return command;
    }

    private static Command Delete(CliContext context)
    {
        var id = CommonOptions.Id("Widget id");
        var wait = CommonOptions.Wait("the widget is gone");
        var timeout = CommonOptions.Timeout();
        var command = new Command("delete", "Delete a widget (it goes to phase deleting, then disappears)") { id, wait, timeout };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var widgetId = parseResult.GetValue(id)!;
            await client.Demo.Widgets.DeleteAsync(widgetId, cancellationToken).ConfigureAwait(false);
            if (parseResult.GetValue(wait))
            {
                context.Stderr.WriteLine($"waiting for {widgetId} to be gone...");
                await client.Demo.Widgets.WaitForDeletedAsync(widgetId, TimeSpan.FromSeconds(parseResult.GetValue(timeout)), cancellationToken).ConfigureAwait(false);
                output.Message($"deleted widget {widgetId}");
            }
            else
            {
                output.Message($"deleting widget {widgetId}");
            }
        });
        return command;
    }

    private static Option<int?> Copies()
    {
        var option = new Option<int?>("--copies") { Description = "How many times the message is repeated, 1 to 100 (default 1)", HelpName = "count" };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is { } value && value is < 1 or > 100)
            {
                result.AddError($"--copies must be between 1 and 100, not {value}.");
            }
        });
        return option;
    }

    private static async Task<ResourceDto> WaitReadyAsync(CliContext context, NimbusClient client, ResourceDto widget, long minObservedVersion, int timeoutSeconds, CancellationToken cancellationToken)
    {
        context.Stderr.WriteLine($"waiting for {widget.Id} to be {WidgetsClient.ReadyPhase}...");
        return await client.Demo.Widgets.WaitForPhaseAsync(widget.Id, WidgetsClient.ReadyPhase, TimeSpan.FromSeconds(timeoutSeconds), minObservedVersion, cancellationToken).ConfigureAwait(false);
    }
}
