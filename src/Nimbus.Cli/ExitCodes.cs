namespace Nimbus.Cli;

/// <summary>Process exit codes of <c>nimbus</c>; scripts rely on them, so never renumber one.</summary>
public static class ExitCodes
{
    /// <summary>The command succeeded.</summary>
    public const int Ok = 0;

    /// <summary>The API answered an error (or a --wait ended without reaching its goal).</summary>
    public const int ApiError = 1;

    /// <summary>Bad or missing options, unknown command, or missing/invalid configuration.</summary>
    public const int UsageError = 2;

    /// <summary>The endpoint could not be reached.</summary>
    public const int CannotConnect = 3;

    /// <summary>Interrupted (Ctrl+C), as shells report SIGINT.</summary>
    public const int Cancelled = 130;
}
