namespace Nimbus.Cli.Commands;

/// <summary>Reads a JSON document option given as a file path, or <c>-</c> for standard input.</summary>
internal static class DocumentFiles
{
    public const int MaxBytes = 64 * 1024;

    public static async Task<string> ReadAsync(CliContext context, string path, CancellationToken cancellationToken)
    {
        if (path == "-")
        {
            return await context.Host.Stdin.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        }

        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new CliUsageException($"cannot read '{path}': no such file");
        }

        if (info.Length > MaxBytes)
        {
            throw new CliUsageException($"'{path}' is larger than {MaxBytes} bytes");
        }

        return await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
    }
}
