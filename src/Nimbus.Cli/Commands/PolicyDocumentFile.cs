namespace Nimbus.Cli.Commands;

/// <summary>Reads the <c>--document</c> of policy commands: a file, or stdin for <c>-</c>, sent as written so the server's errors name its lines and columns.</summary>
internal static class PolicyDocumentFile
{
    public const string Stdin = "-";

    public static async Task<string> ReadAsync(CliContext context, string path, CancellationToken cancellationToken)
    {
        if (path == Stdin)
        {
            return await context.Host.Stdin.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            return await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CliUsageException($"cannot read policy document '{path}': {ex.Message}");
        }
    }
}
