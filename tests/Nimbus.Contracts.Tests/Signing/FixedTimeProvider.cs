namespace Nimbus.Contracts.Tests.Signing;

/// <summary>A clock that reads what the test set.</summary>
internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
