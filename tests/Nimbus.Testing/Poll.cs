namespace Nimbus.Testing;

/// <summary>Waits for a condition with a deadline instead of sleeping a guessed time.</summary>
public static class Poll
{
    /// <summary>Calls <paramref name="probe"/> until <paramref name="done"/> holds for its value (backing off from 10 ms to 250 ms); throws <see cref="TimeoutException"/> naming <paramref name="what"/> and the last value after <paramref name="timeout"/> (30 s by default: the suite runs on a loaded machine).</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? timeout = null, string? what = null)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(done);
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        var deadline = DateTime.UtcNow + limit;
        var delay = TimeSpan.FromMilliseconds(10);
        while (true)
        {
            var value = await probe().ConfigureAwait(false);
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not true after {limit.TotalSeconds:0.#}s: {what ?? "?"}; last value: {value}");
            }

            await Task.Delay(delay).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 250));
        }
    }
}
