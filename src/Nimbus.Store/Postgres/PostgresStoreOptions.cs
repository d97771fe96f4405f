namespace Nimbus.Store.Postgres;

/// <summary>Configuration of <see cref="PostgresResourceStore"/>.</summary>
public sealed record PostgresStoreOptions
{
    /// <summary>Required. An Npgsql connection string, e.g. <c>Host=db1;Port=5432;Database=nimbus;Username=nimbus;Password=...</c>.</summary>
    public required string ConnectionString { get; init; }

    /// <summary>Attempts of a unit of work that hits a serialization failure or deadlock, first one included. Default 4.</summary>
    public int MaxAttempts { get; init; } = 4;

    /// <summary>Clock for the time of status and delete entries in the change feed. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
