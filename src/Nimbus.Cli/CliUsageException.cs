namespace Nimbus.Cli;

/// <summary>The user asked for something the command cannot do as given; exits with <see cref="ExitCodes.UsageError"/>.</summary>
internal sealed class CliUsageException : Exception
{
    public CliUsageException(string message)
        : base(message)
    {
    }
}
