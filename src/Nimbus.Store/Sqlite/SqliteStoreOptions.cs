namespace Nimbus.Store.Sqlite;

/// <summary>Configuration of <see cref="SqliteResourceStore"/>.</summary>
public sealed record SqliteStoreOptions
{
    /// <summary>Required. Path of the database file, e.g. <c>&lt;data-dir&gt;/nimbus.db</c>; its directory is created if missing.</summary>
    public required string Path { get; init; }

    /// <summary>How long a statement waits for a lock held by another process before failing. Default 5 seconds.</summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Most units of work committed by one transaction (one fsync). Default 256.</summary>
    public int MaxBatchSize { get; init; } = 256;

    /// <summary>Clock for the time of status and delete entries in the change feed. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
