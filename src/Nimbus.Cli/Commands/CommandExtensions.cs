using System.CommandLine;

namespace Nimbus.Cli.Commands;

internal static class CommandExtensions
{
    /// <summary>Adds <paramref name="subcommands"/> after those of the initializer, and returns the command.</summary>
    public static Command WithSubcommands(this Command command, IEnumerable<Command> subcommands)
    {
        foreach (var subcommand in subcommands)
        {
            command.Subcommands.Add(subcommand);
        }

        return command;
    }
}
