using System.CommandLine;
using Nimbus.Cli.Views;
using Nimbus.Contracts.Resources;

namespace Nimbus.Cli.Commands;

/// <summary><c>nimbus compute instance-type|image|instance ...</c>.</summary>
internal static class ComputeCommands
{
    public static Command CreateService(CliContext context) =>
        new("compute", "Compute: instance types, images and instances (containers run by runc)")
        {
            InstanceTypes(context),
            ImageCommands.Create(context),
            InstanceCommands.Create(context),
            Garbage(context),
        };

    private static Command Garbage(CliContext context)
    {
        var run = new Option<bool>("--run") { Description = "Check the node now instead of showing the last check" };
        var command = new Command("garbage", "Show what compute left on the node that no instance or image owns: containers, mounts, cgroups, directories (platform administrators; it deletes nothing)") { run };
        context.SetApiAction(command, async (parseResult, client, output, cancellationToken) =>
        {
            var report = parseResult.GetValue(run)
                ? await client.Compute.RunGarbageCheckAsync(cancellationToken).ConfigureAwait(false)
                : await client.Compute.GetGarbageReportAsync(cancellationToken).ConfigureAwait(false);
            var when = report.At is { } at ? at.ToString("u", System.Globalization.CultureInfo.InvariantCulture) : "never (run one with --run)";
            await context.Stderr.WriteLineAsync($"garbage check: {when}; {report.Leaks.Count} leak(s)").ConfigureAwait(false);
            output.Write(report, ComputeViews.Garbage);
        });
        return command;
    }

    private static Command InstanceTypes(CliContext context)
    {
        var list = new Command("list", "List the instance types: vCPUs, memory, process limit, bandwidth class");
        context.SetApiAction(list, async (_, client, output, cancellationToken) =>
            output.Write(await client.Compute.InstanceTypes.ListAsync(cancellationToken).ConfigureAwait(false), ComputeViews.InstanceTypes));
        return new Command("instance-type", "The instance type catalog") { list };
    }

    /// <summary>The page written for list commands that read every page.</summary>
    internal static PageDto<ResourceDto> AllItems(IReadOnlyList<ResourceDto> items) => new() { Items = items };
}
