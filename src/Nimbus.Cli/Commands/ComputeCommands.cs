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
        };

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
