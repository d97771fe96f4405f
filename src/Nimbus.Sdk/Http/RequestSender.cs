using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
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
    private readonly bool _sdkTimeouts;

    public RequestSender(HttpClient http, NimbusClientOptions options, SigV4Credentials credentials, RetryPolicy retryPolicy, bool sdkTimeouts = false)
    {
        _sdkTimeouts = sdkTimeouts;
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
            using var limit = AttemptLimit(cancellationToken);
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, limit.Token).ConfigureAwait(false);
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
    public async Task<NimbusResponse> SendFileAsync(HttpMethod method, string pathAndQuery, string filePath, string sha256Hex, TimeSpan idleTimeout, CancellationToken cancellationToken)
    {
        var uri = BuildUri(pathAndQuery);
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await using var file = new ProgressStream(new FileStream(filePath, FileMode.Open, FileAccess.Read, FileShare.Read, 256 * 1024, useAsync: true), () => idle.CancelAfter(idleTimeout));
        using var request = CreateRequest(method, uri, null, sha256Hex, null);
        request.Content = new StreamContent(file, 256 * 1024);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        request.Content.Headers.ContentLength = file.Length;
        HttpResponseMessage response;
        try
        {
            idle.CancelAfter(idleTimeout);
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, idle.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsConnectionFailure(ex, cancellationToken))
        {
            var cause = idle.IsCancellationRequested
                ? new TimeoutException($"The upload of {filePath} made no progress for {idleTimeout} (NimbusClientOptions.UploadIdleTimeout).", ex)
                : ex;
            throw new NimbusConnectionException(_options.Endpoint, 1, cause);
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

    /// <summary>
    /// A signed GET upgraded to a WebSocket (RFC 6455 section 4): sent through the same HTTP client as every call, so
    /// a refusal comes back as an ordinary problem+json answer and becomes a <see cref="NimbusApiException"/>.
    /// </summary>
    public async Task<WebSocket> OpenWebSocketAsync(string pathAndQuery, CancellationToken cancellationToken)
    {
        var uri = BuildUri(pathAndQuery);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        using var request = new HttpRequestMessage(HttpMethod.Get, uri) { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(JsonMediaType));
        request.Headers.TryAddWithoutValidation("User-Agent", _userAgent);
        request.Headers.TryAddWithoutValidation("Connection", "Upgrade");
        request.Headers.TryAddWithoutValidation("Upgrade", "websocket");
        request.Headers.TryAddWithoutValidation("Sec-WebSocket-Version", "13");
        request.Headers.TryAddWithoutValidation("Sec-WebSocket-Key", key);
        SigV4Signer.Sign(request, _credentials, _options.Region, NimbusClientOptions.ServiceName, _options.TimeProvider.GetUtcNow(), SigV4Signer.EmptyPayloadHash);
        HttpResponseMessage response;
        using var limit = AttemptLimit(cancellationToken);
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, limit.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsConnectionFailure(ex, cancellationToken))
        {
            throw new NimbusConnectionException(_options.Endpoint, 1, ex);
        }

        if (response.StatusCode != HttpStatusCode.SwitchingProtocols)
        {
            using (response)
            {
                var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                var requestId = response.Headers.TryGetValues("X-Request-Id", out var ids) ? ids.FirstOrDefault() : null;
                throw ProblemParser.ToException(response.StatusCode, response.ReasonPhrase, response.Content.Headers.ContentType?.MediaType, bytes, requestId, null);
            }
        }

        // The server proves it read this handshake: SHA-1 of the key and the protocol's GUID.
        var expected = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
        if (!response.Headers.TryGetValues("Sec-WebSocket-Accept", out var accepts) || accepts.FirstOrDefault() != expected)
        {
            response.Dispose();
            throw new NimbusConnectionException(_options.Endpoint, 1, new WebSocketException("the server's Sec-WebSocket-Accept does not match the handshake"));
        }

        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        return WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.FromSeconds(30) });
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

    /// <summary>The caller's token, and <see cref="NimbusClientOptions.Timeout"/> for HTTP clients the SDK made (they have no timeout of their own).</summary>
    private CancellationTokenSource AttemptLimit(CancellationToken cancellationToken)
    {
        var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (_sdkTimeouts && _options.Timeout != Timeout.InfiniteTimeSpan)
        {
            limit.CancelAfter(_options.Timeout);
        }

        return limit;
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
