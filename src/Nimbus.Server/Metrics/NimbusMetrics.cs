using System.Collections.Concurrent;
using System.Text;

namespace Nimbus.Server.Metrics;

/// <summary>
/// The platform's Prometheus metrics (text exposition format 0.0.4): requests by route and
/// status, request latency, and store operation latency. Label values are route templates,
/// never raw paths, so cardinality stays bounded.
/// </summary>
public sealed class NimbusMetrics
{
    private readonly ConcurrentDictionary<(string Method, string Route, int Status), StrongBox<long>> _requests = new();
    private readonly ConcurrentDictionary<(string Method, string Route), Histogram> _requestLatency = new();
    private readonly ConcurrentDictionary<string, Histogram> _storeLatency = new();

    public void ObserveRequest(string method, string route, int status, double seconds)
    {
        var counter = _requests.GetOrAdd((method, route, status), static _ => new StrongBox<long>());
        Interlocked.Increment(ref counter.Value);
        _requestLatency.GetOrAdd((method, route), static _ => new Histogram()).Observe(seconds);
    }

    public void ObserveStore(string operation, double seconds) =>
        _storeLatency.GetOrAdd(operation, static _ => new Histogram()).Observe(seconds);

    public string Render()
    {
        var writer = new StringWriter(new StringBuilder(8192));
        writer.Write("# HELP nimbus_http_requests_total API requests by method, route template and status.\n# TYPE nimbus_http_requests_total counter\n");
        foreach (var ((method, route, status), count) in _requests.OrderBy(p => p.Key.Route, StringComparer.Ordinal).ThenBy(p => p.Key.Method, StringComparer.Ordinal).ThenBy(p => p.Key.Status))
        {
            writer.Write($"nimbus_http_requests_total{{method=\"{method}\",route=\"{Escape(route)}\",status=\"{status}\"}} {Interlocked.Read(ref count.Value)}\n");
        }

        writer.Write("# HELP nimbus_http_request_duration_seconds API request latency.\n# TYPE nimbus_http_request_duration_seconds histogram\n");
        foreach (var ((method, route), histogram) in _requestLatency.OrderBy(p => p.Key.Route, StringComparer.Ordinal).ThenBy(p => p.Key.Method, StringComparer.Ordinal))
        {
            histogram.Write(writer, "nimbus_http_request_duration_seconds", $"method=\"{method}\",route=\"{Escape(route)}\"");
        }

        writer.Write("# HELP nimbus_store_operation_duration_seconds Control-plane store operation latency.\n# TYPE nimbus_store_operation_duration_seconds histogram\n");
        foreach (var (operation, histogram) in _storeLatency.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            histogram.Write(writer, "nimbus_store_operation_duration_seconds", $"operation=\"{operation}\"");
        }

        return writer.ToString();
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private sealed class StrongBox<T>
    {
        public T Value = default!;
    }
}
