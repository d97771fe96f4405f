namespace Nimbus.Store.Tests;

/// <summary>A clock that says what the test tells it.</summary>
public sealed class ManualClock : TimeProvider
{
    public DateTimeOffset Now { get; set; } = new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero).AddTicks(7654321);

    public override DateTimeOffset GetUtcNow() => Now;
}
