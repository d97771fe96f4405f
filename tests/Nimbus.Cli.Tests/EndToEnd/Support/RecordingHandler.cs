using System.Net;

namespace Nimbus.Cli.Tests.EndToEnd.Support;

/// <summary>
/// Passes every request on to the real server and records what came back; optionally drops chosen answers
/// after the server has handled the request, as a connection reset after the write would.
/// </summary>
internal sealed class RecordingHandler : DelegatingHandler
{
    private readonly Lock _gate = new();
    private readonly List<Exchange> _exchanges = [];

    /// <summary>Attempt numbers (0-based) whose answer is thrown away after the server handled them.</summary>
    public HashSet<int> DropAnswerOf { get; init; } = [];

    public IReadOnlyList<Exchange> Exchanges
    {
        get
        {
            lock (_gate)
            {
                return _exchanges.ToList();
            }
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        int attempt;
        lock (_gate)
        {
            attempt = _exchanges.Count;
            _exchanges.Add(new Exchange(
                request.Method,
                request.RequestUri!.PathAndQuery,
                request.Headers.TryGetValues("Idempotency-Key", out var keys) ? keys.Single() : null,
                response.StatusCode,
                response.Headers.TryGetValues("Idempotent-Replayed", out var replayed) && replayed.Single() == "true"));
        }

        if (DropAnswerOf.Contains(attempt))
        {
            response.Dispose();
            throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection reset after the server answered (dropped by the test).");
        }

        return response;
    }

    public sealed record Exchange(HttpMethod Method, string PathAndQuery, string? IdempotencyKey, HttpStatusCode Status, bool Replayed);
}
