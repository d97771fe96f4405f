using Nimbus.Cli.Output;

namespace Nimbus.Cli.Commands;

/// <summary>Tells a table reader that more pages exist; json/yaml carry <c>nextToken</c> themselves.</summary>
internal static class Paging
{
    public static void HintNextPage(CliContext context, OutputWriter output, string? nextToken)
    {
        if (nextToken is not null && output.IsTable)
        {
            context.Stderr.WriteLine($"more results: add --next-token {nextToken}, or --all for every page");
        }
    }
}
