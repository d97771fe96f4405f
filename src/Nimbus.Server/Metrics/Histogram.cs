namespace Nimbus.Server.Metrics;

/// <summary>A lock-free cumulative histogram in seconds, in Prometheus' bucket layout.</summary>
public sealed class Histogram
{
    public static readonly double[] LatencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly long[] _counts = new long[LatencyBuckets.Length + 1];
    private long _sumMicroseconds;

    public void Observe(double seconds)
    {
        var i = 0;
        while (i < LatencyBuckets.Length && seconds > LatencyBuckets[i])
        {
            i++;
        }

        Interlocked.Increment(ref _counts[i]);
        Interlocked.Add(ref _sumMicroseconds, (long)(seconds * 1_000_000));
    }

    public void Write(TextWriter writer, string name, string labels)
    {
        long cumulative = 0;
        var separator = labels.Length == 0 ? "" : ",";
        for (var i = 0; i < LatencyBuckets.Length; i++)
        {
            cumulative += Interlocked.Read(ref _counts[i]);
            writer.Write($"{name}_bucket{{{labels}{separator}le=\"{LatencyBuckets[i].ToString(System.Globalization.CultureInfo.InvariantCulture)}\"}} {cumulative}\n");
        }

        cumulative += Interlocked.Read(ref _counts[^1]);
        writer.Write($"{name}_bucket{{{labels}{separator}le=\"+Inf\"}} {cumulative}\n");
        var braces = labels.Length == 0 ? "" : "{" + labels + "}";
        writer.Write($"{name}_sum{braces} {(Interlocked.Read(ref _sumMicroseconds) / 1e6).ToString(System.Globalization.CultureInfo.InvariantCulture)}\n");
        writer.Write($"{name}_count{braces} {cumulative}\n");
    }
}
