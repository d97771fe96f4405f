using System.CommandLine;
using System.Text;
using Nimbus.Cli.Views;
using Nimbus.Contracts.Audit;
using Nimbus.Contracts.Resources;

namespace Nimbus.Cli.Commands;

/// <summary><c>nimbus audit events list|export</c>.</summary>
internal static class AuditCommands
{
    public static Command CreateService(CliContext context) =>
        new("audit", "The audit trail: every API request, allowed or denied")
        {
            new Command("events", "Audit events (read-only)") { List(context), Export(context) },
        };

    private static Command List(CliContext context)
    {
        var filter = new AuditFilterOptions();
        var pageSize = CommonOptions.PageSize();
        var nextToken = CommonOptions.NextToken();
        var all = CommonOptions.All();
        var command = new Command("list", "List audit events, newest first") { pageSize, nextToken, all };
        filter.AddTo(command);
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var audit = client.Audit;
            var query = filter.Read(parseResult);
            PageDto<AuditEventDto> page;
            if (parseResult.GetValue(all))
            {
                var items = new List<AuditEventDto>();
                await foreach (var item in audit.ListAllEventsAsync(query, parseResult.GetValue(pageSize), cancellationToken).ConfigureAwait(false))
                {
                    items.Add(item);
                }

                page = new PageDto<AuditEventDto> { Items = items };
            }
            else
            {
                page = await audit.ListEventsAsync(query, parseResult.GetValue(pageSize), parseResult.GetValue(nextToken), cancellationToken).ConfigureAwait(false);
            }

            output.Write(page, AuditEventView.Page);
            Paging.HintNextPage(context, output, page.NextToken);
        });
        return command;
    }

    private static Command Export(CliContext context)
    {
        var filter = new AuditFilterOptions();
        var command = new Command("export", "Write every matching event to stdout as JSON Lines (one JSON object per line, newest first)");
        filter.AddTo(command);
        context.SetApiAction(command, async (parseResult, client, _, cancellationToken) =>
        {
            var body = await client.Audit.ExportRawAsync(filter.Read(parseResult), cancellationToken).ConfigureAwait(false);
            await context.Stdout.WriteAsync(Encoding.UTF8.GetString(body.Span)).ConfigureAwait(false);
            await context.Stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
        });
        return command;
    }
}
