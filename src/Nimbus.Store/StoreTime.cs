namespace Nimbus.Store;

/// <summary>
/// Timestamps are stored as UTC ticks (100 ns since 0001-01-01) in a 64-bit integer column on both
/// engines: PostgreSQL's timestamptz keeps only microseconds, and a written value must read back Equal.
/// </summary>
internal static class StoreTime
{
    public static long ToTicks(DateTimeOffset value) => value.UtcTicks;

    public static object ToTicksOrNull(DateTimeOffset? value) => value is { } v ? v.UtcTicks : DBNull.Value;

    public static DateTimeOffset FromTicks(long ticks) => new(ticks, TimeSpan.Zero);
}
