using System.Net.Http.Headers;
using Nimbus.Contracts.Signing;

namespace Nimbus.Sdk.Http;

/// <summary>Sends one logical request: builds, signs and retries its attempts, and maps failures to exceptions.</summary>
internal sealed class RequestSender
{
    private const string JsonMediaType = "application/json";

    private readonly HttpClient _http;
    private readonly NimbusClientOptions _options;
    private readonly SigV4Credentials _credentials;
    private readonly RetryPolicy _retryPolicy;
    private readonly string _userAgent;

    public RequestSender(HttpClient http, NimbusClientOptions options, SigV4Credentials credentials, RetryPolicy retryPolicy)
    {
        _http = http;
        _options = options;
        _credentials = credentials;
        _retryPolicy = retryPolicy;
        _userAgent = options.UserAgent ?? $"nimbus-sdk-dotnet/{typeof(RequestSender).Assembly.GetName().Version?.ToString(3) ?? "0.0.0"}";
    }

    public Uri BuildUri(string pathAndQuery)
    {
        if (!pathAndQuery.StartsWith('/'))
        {
            throw new ArgumentException("The path must start with '/', e.g. /v1/demo/widgets.", nameof(pathAndQuery));
        }

        // Keep any path prefix of the endpoint (a reverse proxy mounting Nimbus under /nimbus).
        var baseUri = _options.Endpoint.GetLeftPart(UriPartial.Path).TrimEnd('/');
        return new Uri(baseUri + pathAndQuery, UriKind.Absolute);
    }

    public async Task<NimbusResponse> SendAsync(HttpMethod method, string pathAndQuery, byte[]? body, NimbusRequestOptions? requestOptions, CancellationToken cancellationToken)
    {
        var uri = BuildUri(pathAndQuery);

        // The payload is serialized once; every attempt reuses the bytes and their hash.
        var payloadHash = body is null ? SigV4Signer.EmptyPayloadHash : SigV4Signer.HashPayload(body);
        var replaySafe = RetryPolicy.IsReplaySafe(method, requestOptions?.IdempotencyKey is not null);
        var maxAttempts = replaySafe ? _retryPolicy.MaxRetries + 1 : 1;

        for (var attempt = 0; ; attempt++)
        {
            var isLastAttempt = attempt + 1 >= maxAttempts;
            using var request = CreateRequest(method, uri, body, payloadHash, requestOptions);
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsConnectionFailure(ex, cancellationToken))
            {
                if (isLastAttempt)
                {
                    throw new NimbusConnectionException(_options.Endpoint, attempt + 1, ex);
                }

                await DelayAsync(_retryPolicy.DelayBeforeRetry(attempt, retryAfter: null), cancellationToken).ConfigureAwait(false);
                continue;
            }

            using (response)
            {
                var now = _options.TimeProvider.GetUtcNow();
                if (!isLastAttempt && RetryPolicy.IsRetryableStatus(response.StatusCode))
                {
                    var delay = _retryPolicy.DelayBeforeRetry(attempt, RetryPolicy.RetryAfterOf(response.Headers, now));
                    await DelayAsync(delay, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                var contentType = response.Content.Headers.ContentType?.MediaType;
                if (!response.IsSuccessStatusCode)
                {
                    var requestId = response.Headers.TryGetValues("X-Request-Id", out var ids) ? ids.FirstOrDefault() : null;
                    throw ProblemParser.ToException(response.StatusCode, response.ReasonPhrase, contentType, bytes, requestId, RetryPolicy.RetryAfterOf(response.Headers, now));
                }

                return new NimbusResponse(response.StatusCode, response.Headers, contentType, bytes);
            }
        }
    }

    /// <summary>
    /// Sends a file as the body, streamed (never held in memory) and signed with its SHA-256, which the server checks
    /// at the end. One attempt: the file is read once more only if the caller sends again.
    /// </summary>
    public async Task<NimbusResponse> SendFileAsync(HttpMethod method, string pathAndQuery, string filePath, string sha256Hex, CancellationToken cancellationToken)
    {
        var uri = BuildUri(pathAndQuery);
        await using var file = new FileStream(filePath, FileMode.Open, FileAccess.Read, FileShare.Read, 256 * 1024, useAsync: true);
        using var request = CreateRequest(method, uri, null, sha256Hex, null);
        request.Content = new StreamContent(file, 256 * 1024);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        request.Content.Headers.ContentLength = file.Length;
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsConnectionFailure(ex, cancellationToken))
        {
            throw new NimbusConnectionException(_options.Endpoint, 1, ex);
        }

        using (response)
        {
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            var contentType = response.Content.Headers.ContentType?.MediaType;
            if (!response.IsSuccessStatusCode)
            {
                var requestId = response.Headers.TryGetValues("X-Request-Id", out var ids) ? ids.FirstOrDefault() : null;
                throw ProblemParser.ToException(response.StatusCode, response.ReasonPhrase, contentType, bytes, requestId, RetryPolicy.RetryAfterOf(response.Headers, _options.TimeProvider.GetUtcNow()));
            }

            return new NimbusResponse(response.StatusCode, response.Headers, contentType, bytes);
        }
    }

    private HttpRequestMessage CreateRequest(HttpMethod method, Uri uri, byte[]? body, string payloadHash, NimbusRequestOptions? requestOptions)
    {
        var request = new HttpRequestMessage(method, uri);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(JsonMediaType));
        request.Headers.TryAddWithoutValidation("User-Agent", _userAgent);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(JsonMediaType) { CharSet = "utf-8" };
        }

        if (requestOptions?.IdempotencyKey is { } key)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        }

        if (requestOptions?.Headers is { } headers)
        {
            foreach (var (name, value) in headers)
            {
                request.Headers.Remove(name);
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        // Signed per attempt: a retry after a long Retry-After must carry a fresh X-Amz-Date.
        SigV4Signer.Sign(request, _credentials, _options.Region, NimbusClientOptions.ServiceName, _options.TimeProvider.GetUtcNow(), payloadHash);
        return request;
    }

    private static bool IsConnectionFailure(Exception ex, CancellationToken cancellationToken) => ex switch
    {
        HttpRequestException => true,

        // HttpClient reports its own Timeout as a TaskCanceledException while the caller's token is not cancelled.
        TaskCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    private Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken) =>
        delay <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(delay, _options.TimeProvider, cancellationToken);
}
