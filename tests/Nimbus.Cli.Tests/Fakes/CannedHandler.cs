using System.Net;
using System.Text;
using Nimbus.Contracts.Signing;

namespace Nimbus.Cli.Tests.Fakes;

/// <summary>Answers each request with the next canned response (or a function of the request) and records it.</summary>
public sealed class CannedHandler : HttpMessageHandler
{
    private readonly Queue<Func<RecordedRequest, HttpResponseMessage>> _answers = new();
    private readonly List<RecordedRequest> _requests = [];
    private readonly Lock _gate = new();

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return _requests.ToList();
            }
        }
    }

    public Func<RecordedRequest, HttpResponseMessage>? Fallback { get; set; }

    public CannedHandler Answer(Func<RecordedRequest, HttpResponseMessage> answer)
    {
        lock (_gate)
        {
            _answers.Enqueue(answer);
        }

        return this;
    }

    public CannedHandler Answer(HttpStatusCode status, string? json = null, string contentType = "application/json", params (string Name, string Value)[] headers) =>
        Answer(_ => Response(status, json, contentType, headers));

    public CannedHandler Throw(Exception exception) => Answer(_ => throw exception);

    public static HttpResponseMessage Response(HttpStatusCode status, string? body = null, string contentType = "application/json", params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage(status);
        if (body is not null)
        {
            response.Content = new StringContent(body, Encoding.UTF8, contentType);
        }

        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var asReceived = SigV4Request.FromHttpRequestMessage(request, SigV4Signer.HashPayload(body));
        var recorded = new RecordedRequest(request.Method, request.RequestUri!, request.Headers, request.Content?.Headers.ContentType?.ToString(), body, asReceived);
        Func<RecordedRequest, HttpResponseMessage>? answer;
        lock (_gate)
        {
            _requests.Add(recorded);
            answer = _answers.Count > 0 ? _answers.Dequeue() : Fallback;
        }

        if (answer is null)
        {
            throw new InvalidOperationException($"No canned answer left for {request.Method} {request.RequestUri}.");
        }

        var response = answer(recorded);
        response.RequestMessage = request;
        return response;
    }
}
