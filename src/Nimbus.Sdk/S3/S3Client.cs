using System.Net;
using System.Security.Cryptography;
using Nimbus.Contracts.Checksums;
using Nimbus.Contracts.Signing;

namespace Nimbus.Sdk.S3;

/// <summary>
/// Client of Nimbus object storage over the S3 protocol: path-style requests signed with SigV4 for service <c>s3</c>,
/// bodies signed by their SHA-256, sent unsigned, or aws-chunked (<see cref="S3PayloadSigning"/>); downloads streamed.
/// Failures are <see cref="NimbusApiException"/> with the S3 error code (<c>NoSuchKey</c>, <c>AccessDenied</c>, ...).
/// Thread-safe; reuse one instance.
/// </summary>
public sealed partial class S3Client : IDisposable
{

    private readonly HttpClient _http;
    private readonly SigV4Credentials _credentials;
    private readonly string _userAgent;

    /// <summary>Creates a client with its own <see cref="HttpClient"/>.</summary>
    /// <param name="options">Required. Settings; <see cref="S3ClientOptions.Credentials"/> must be set.</param>
    public S3Client(S3ClientOptions options)
        : this(options, new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), Expect100ContinueTimeout = TimeSpan.FromSeconds(1) }, disposeHandler: true)
    {
    }

    /// <summary>Creates a client over a given handler (a test double, or one with custom TLS settings).</summary>
    /// <param name="options">Required. Settings; <see cref="S3ClientOptions.Credentials"/> must be set.</param>
    /// <param name="handler">Required. Handler that sends the HTTP requests.</param>
    /// <param name="disposeHandler">Optional. Whether disposing the client disposes <paramref name="handler"/>; default true.</param>
    public S3Client(S3ClientOptions options, HttpMessageHandler handler, bool disposeHandler = true)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handler);
        _credentials = options.Credentials
            ?? throw new NimbusConfigurationException("S3ClientOptions.Credentials is required: set it, or build the options with CredentialChain.");
        if (options.PartSize < S3ClientOptions.MinPartSize)
        {
            throw new NimbusConfigurationException($"S3ClientOptions.PartSize must be at least {S3ClientOptions.MinPartSize} bytes (5 MiB).");
        }

        Options = options;
        _http = new HttpClient(handler, disposeHandler) { Timeout = options.Timeout };
        _userAgent = options.UserAgent ?? $"nimbus-sdk-dotnet/{typeof(S3Client).Assembly.GetName().Version?.ToString(3) ?? "0.0.0"}";
    }

    /// <summary>The settings this client was built with.</summary>
    public S3ClientOptions Options { get; }

    /// <summary>Disposes the HTTP client.</summary>
    public void Dispose() => _http.Dispose();

    /// <summary>
    /// Sends one call: signs every attempt afresh, retries connection failures and 500/503/429 answers of calls that
    /// may be replayed, and turns an error answer into a <see cref="NimbusApiException"/>. The answer's body is unread.
    /// </summary>
    internal async Task<S3Answer> SendAsync(S3Call call, CancellationToken cancellationToken)
    {
        var uri = S3Paths.Build(Options.Endpoint, call.Bucket, call.Key, call.Query);
        var body = call.Body;
        (string Sha256, string Md5Base64)? hashes = null;
        if (body is not null && call.PayloadSigning == S3PayloadSigning.Signed)
        {
            hashes = await HashAsync(body, cancellationToken).ConfigureAwait(false);
        }

        var maxAttempts = call.ReplaySafe && (body is null || body.Replayable) ? Math.Max(0, Options.MaxRetries) + 1 : 1;
        for (var attempt = 0; ; attempt++)
        {
            var isLastAttempt = attempt + 1 >= maxAttempts;
            Md5ReadStream? sent = null;
            using var request = new HttpRequestMessage(call.Method, uri);
            request.Headers.TryAddWithoutValidation("User-Agent", _userAgent);
            foreach (var (name, value) in call.Headers)
            {
                if (!request.Headers.TryAddWithoutValidation(name, value))
                {
                    throw new ArgumentException($"Header '{name}' cannot be set on the request.", nameof(call));
                }
            }

            var now = Options.TimeProvider.GetUtcNow();
            if (body is null)
            {
                if (call.BodyContentType is { } bodilessType)
                {
                    request.Content = new ByteArrayContent([]);
                    request.Content.Headers.TryAddWithoutValidation("Content-Type", bodilessType);
                }

                SigV4Signer.Sign(request, _credentials, Options.Region, S3ClientOptions.ServiceName, now, SigV4Signer.EmptyPayloadHash);
            }
            else
            {
                sent = new Md5ReadStream(body.Open());
                PrepareBody(request, call, body, sent, hashes, now);
            }

            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsConnectionFailure(ex, cancellationToken))
            {
                if (isLastAttempt)
                {
                    throw new NimbusConnectionException(Options.Endpoint, attempt + 1, ex);
                }

                await DelayAsync(attempt, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (!response.IsSuccessStatusCode && response.StatusCode != HttpStatusCode.NotModified)
            {
                using (response)
                {
                    if (!isLastAttempt && response.StatusCode is HttpStatusCode.InternalServerError or HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests)
                    {
                        await DelayAsync(attempt, cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    throw await S3ErrorParser.ToExceptionAsync(response, call, cancellationToken).ConfigureAwait(false);
                }
            }

            if (response.StatusCode == HttpStatusCode.NotModified)
            {
                using (response)
                {
                    throw S3ErrorParser.FromStatus(response, "NotModified", "The object was not modified since the time given.");
                }
            }

            return new S3Answer(response, sent?.HexDigest());
        }
    }

    private void PrepareBody(HttpRequestMessage request, S3Call call, S3Body body, Md5ReadStream sent, (string Sha256, string Md5Base64)? hashes, DateTimeOffset now)
    {
        if (call.PayloadSigning == S3PayloadSigning.Chunked)
        {
            if (call.BodyContentType is { } chunkedType)
            {
                request.Content = new ByteArrayContent([]);
                request.Content.Headers.TryAddWithoutValidation("Content-Type", chunkedType);
            }

            AwsChunkedUpload.Prepare(request, sent, body.Length, _credentials, Options.Region, S3ClientOptions.ServiceName, now, AwsChunkedMode.SignedPayloadTrailer, ChecksumAlgorithm.Crc32C);
            return;
        }

        var content = new StreamContent(sent, 128 * 1024);
        content.Headers.ContentLength = body.Length;
        if (call.BodyContentType is { } type)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", type);
        }

        if (hashes is { } h)
        {
            content.Headers.TryAddWithoutValidation("Content-MD5", h.Md5Base64);
        }

        request.Content = content;
        if (body.Length > 0)
        {
            // Lets the server refuse (auth, quota, a missing bucket) before the body travels.
            request.Headers.ExpectContinue = true;
        }

        SigV4Signer.Sign(request, _credentials, Options.Region, S3ClientOptions.ServiceName, now, hashes?.Sha256 ?? SigV4Signer.UnsignedPayload);
    }

    private static async Task<(string Sha256, string Md5Base64)> HashAsync(S3Body body, CancellationToken cancellationToken)
    {
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(256 * 1024);
        try
        {
            await using var stream = body.Open();
            int n;
            while ((n = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                sha256.AppendData(buffer, 0, n);
                md5.AppendData(buffer, 0, n);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }

        return (Convert.ToHexStringLower(sha256.GetHashAndReset()), Convert.ToBase64String(md5.GetHashAndReset()));
    }

    private Task DelayAsync(int attempt, CancellationToken cancellationToken)
    {
        // Full-jitter exponential backoff, as the REST client does.
        var ceiling = Math.Min(20_000, Options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30)));
        var delay = TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling);
        return delay <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(delay, Options.TimeProvider, cancellationToken);
    }

    private static bool IsConnectionFailure(Exception ex, CancellationToken cancellationToken) => ex switch
    {
        HttpRequestException => true,
        TaskCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };
}
