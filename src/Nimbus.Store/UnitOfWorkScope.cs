namespace Nimbus.Store;

/// <summary>
/// Marks the async flow of a running unit of work. A unit that called <c>WriteAsync</c> again would
/// wait for the writer (SQLite) or for the change-feed lock (PostgreSQL) that it holds itself.
/// </summary>
internal static class UnitOfWorkScope
{
    private static readonly AsyncLocal<bool> Inside = new();

    public static bool IsActive => Inside.Value;

    /// <summary>Call at the start of the async method that runs the unit; the flag ends with that method's flow.</summary>
    public static void Enter() => Inside.Value = true;

    public static void ThrowIfActive()
    {
        if (Inside.Value)
        {
            throw new InvalidOperationException(
                "WriteAsync was called from inside a unit of work; use the IStoreWriter that unit was given.");
        }
    }
}
