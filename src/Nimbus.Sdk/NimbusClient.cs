using System.Text.Json;
using Nimbus.Contracts.Signing;
using Nimbus.Sdk.Audit;
using Nimbus.Sdk.Compute;
using Nimbus.Sdk.Configuration;
using Nimbus.Sdk.Demo;
using Nimbus.Sdk.Http;
using Nimbus.Sdk.Iam;
using Nimbus.Sdk.Json;
using Nimbus.Sdk.Quotas;
using Nimbus.Sdk.Storage;
using Nimbus.Sdk.Sts;

namespace Nimbus.Sdk;

/// <summary>
/// Typed client of the Nimbus REST API. Every request is signed with SigV4; throttled (429), unavailable (503)
/// and unreachable attempts of idempotent requests are retried with jittered backoff. Thread-safe; reuse one instance.
/// </summary>
public sealed class NimbusClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _disposeHttp;
    private readonly RequestSender _sender;

    /// <summary>Creates a client with its own <see cref="HttpClient"/>.</summary>
    /// <param name="options">Required. Settings; <see cref="NimbusClientOptions.Credentials"/> must be set.</param>
    public NimbusClient(NimbusClientOptions options)
        : this(options, new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }, disposeHandler: true)
    {
    }

    /// <summary>Creates a client over a given handler (a test double, or a handler with custom TLS settings).</summary>
    /// <param name="options">Required. Settings; <see cref="NimbusClientOptions.Credentials"/> must be set.</param>
    /// <param name="handler">Required. Handler that sends the HTTP requests.</param>
    /// <param name="disposeHandler">Optional. Whether disposing the client disposes <paramref name="handler"/>; default true.</param>
    public NimbusClient(NimbusClientOptions options, HttpMessageHandler handler, bool disposeHandler = true)
        : this(options, CreateHttpClient(options, handler, disposeHandler), disposeHttpClient: true, sdkTimeouts: true)
    {
    }

    /// <summary>Creates a client over a given <see cref="HttpClient"/>; its own timeout applies instead of <see cref="NimbusClientOptions.Timeout"/>.</summary>
    /// <param name="options">Required. Settings; <see cref="NimbusClientOptions.Credentials"/> must be set.</param>
    /// <param name="httpClient">Required. The HTTP client; its base address is ignored.</param>
    /// <param name="disposeHttpClient">Optional. Whether disposing the client disposes <paramref name="httpClient"/>; default false.</param>
    public NimbusClient(NimbusClientOptions options, HttpClient httpClient, bool disposeHttpClient = false)
        : this(options, httpClient, disposeHttpClient, sdkTimeouts: false)
    {
    }

    /// <summary>
    /// With <paramref name="sdkTimeouts"/> (an HTTP client the SDK made, without a timeout of its own) every attempt is
    /// limited to <see cref="NimbusClientOptions.Timeout"/> here, except file uploads, which have
    /// <see cref="NimbusClientOptions.UploadIdleTimeout"/> instead.
    /// </summary>
    private NimbusClient(NimbusClientOptions options, HttpClient httpClient, bool disposeHttpClient, bool sdkTimeouts)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(httpClient);
        var credentials = options.Credentials
            ?? throw new NimbusConfigurationException("NimbusClientOptions.Credentials is required: set it, or build the options with CredentialChain.");
        Options = options;
        _http = httpClient;
        _disposeHttp = disposeHttpClient;
        _sender = new RequestSender(httpClient, options, credentials, new RetryPolicy(options), sdkTimeouts);
        Sts = new StsClient(this);
        Iam = new IamClient(this);
        Demo = new DemoClient(this);
        Quotas = new QuotasClient(this);
        Audit = new AuditClient(this);
        Storage = new StorageClient(this);
        Compute = new ComputeClient(this);
        Network = new Network.NetworkClient(this);
    }

    /// <summary>The settings this client was built with.</summary>
    public NimbusClientOptions Options { get; }

    /// <summary>Security token service: who am I.</summary>
    public StsClient Sts { get; }

    /// <summary>Identity and access management: access keys.</summary>
    public IamClient Iam { get; }

    /// <summary>The built-in demo service: widgets.</summary>
    public DemoClient Demo { get; }

    /// <summary>Quota limits and usage of accounts.</summary>
    public QuotasClient Quotas { get; }

    /// <summary>The audit trail: every API request, allowed or denied.</summary>
    public AuditClient Audit { get; }

    /// <summary>Object storage buckets as platform resources; objects go through <see cref="S3.S3Client"/>.</summary>
    public StorageClient Storage { get; }

    /// <summary>Compute: instance types, images and instances.</summary>
    public ComputeClient Compute { get; }

    /// <summary>Network: VPCs, subnets and security groups.</summary>
    public Network.NetworkClient Network { get; }

    /// <summary>
    /// Creates a client from the environment and the profile files, as the CLI does
    /// (see <see cref="CredentialChain"/>).
    /// </summary>
    /// <param name="profile">Optional. Profile name; default <c>NIMBUS_PROFILE</c>, else <c>default</c>.</param>
    /// <returns>A new client.</returns>
    /// <exception cref="NimbusConfigurationException">No credentials were found, or a file is invalid.</exception>
    public static NimbusClient FromProfile(string? profile = null) =>
        new(new CredentialChain().Resolve(new SettingsOverrides { Profile = profile }).ToClientOptions());

    /// <summary>
    /// Sends any API request and returns the successful answer. Use it for routes without a typed method.
    /// </summary>
    /// <param name="method">Required. HTTP method.</param>
    /// <param name="pathAndQuery">Required. Path from the API root, starting with <c>/</c>, query already encoded; e.g. <c>/v1/demo/widgets?pageSize=10</c>.</param>
    /// <param name="body">Optional. Object serialized as the JSON body with <see cref="NimbusJson.Options"/>; null sends no body.</param>
    /// <param name="requestOptions">Optional. Idempotency key and extra headers.</param>
    /// <param name="cancellationToken">Cancels the request and any wait between retries.</param>
    /// <returns>The 2xx answer with its body read.</returns>
    /// <exception cref="NimbusApiException">The server answered a non-success status.</exception>
    /// <exception cref="NimbusConnectionException">The server could not be reached after all retries.</exception>
    public Task<NimbusResponse> SendAsync(HttpMethod method, string pathAndQuery, object? body = null, NimbusRequestOptions? requestOptions = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(pathAndQuery);
        var bytes = body is null ? null : JsonSerializer.SerializeToUtf8Bytes(body, body.GetType(), NimbusJson.Options);
        return _sender.SendAsync(method, pathAndQuery, bytes, requestOptions, cancellationToken);
    }

    /// <summary>Sends any API request and deserializes the JSON answer.</summary>
    /// <typeparam name="T">Type of the answer's body.</typeparam>
    /// <param name="method">Required. HTTP method.</param>
    /// <param name="pathAndQuery">Required. Path from the API root, starting with <c>/</c>, query already encoded.</param>
    /// <param name="body">Optional. Object serialized as the JSON body; null sends no body.</param>
    /// <param name="requestOptions">Optional. Idempotency key and extra headers.</param>
    /// <param name="cancellationToken">Cancels the request and any wait between retries.</param>
    /// <returns>The deserialized body.</returns>
    /// <exception cref="NimbusApiException">The server answered a non-success status.</exception>
    /// <exception cref="NimbusConnectionException">The server could not be reached after all retries.</exception>
    /// <exception cref="JsonException">The answer had no body or not one of type <typeparamref name="T"/>.</exception>
    public async Task<T> SendAsync<T>(HttpMethod method, string pathAndQuery, object? body = null, NimbusRequestOptions? requestOptions = null, CancellationToken cancellationToken = default)
    {
        var response = await SendAsync(method, pathAndQuery, body, requestOptions, cancellationToken).ConfigureAwait(false);
        return response.ReadJson<T>();
    }

    /// <summary>Opens a WebSocket session on an API route (a signed GET upgraded to a WebSocket), e.g. an instance exec.</summary>
    /// <param name="pathAndQuery">Required. Path from the API root, starting with <c>/</c>, query already encoded.</param>
    /// <param name="cancellationToken">Cancels the opening handshake.</param>
    /// <returns>The open WebSocket; the caller disposes it.</returns>
    /// <exception cref="NimbusApiException">The server refused the upgrade; its problem says why.</exception>
    /// <exception cref="NimbusConnectionException">The server could not be reached.</exception>
    internal Task<System.Net.WebSockets.WebSocket> OpenWebSocketAsync(string pathAndQuery, CancellationToken cancellationToken) =>
        _sender.OpenWebSocketAsync(pathAndQuery, cancellationToken);

    /// <summary>
    /// Sends a file as a streamed body signed with its SHA-256 (image imports). No overall time limit: the upload fails
    /// when it makes no progress for <paramref name="idleTimeout"/> (default <see cref="NimbusClientOptions.UploadIdleTimeout"/>).
    /// </summary>
    internal Task<NimbusResponse> SendFileAsync(HttpMethod method, string pathAndQuery, string filePath, string sha256Hex, TimeSpan? idleTimeout, CancellationToken cancellationToken) =>
        _sender.SendFileAsync(method, pathAndQuery, filePath, sha256Hex, idleTimeout ?? Options.UploadIdleTimeout, cancellationToken);

    /// <summary>Disposes the HTTP client if this client created or owns it.</summary>
    public void Dispose()
    {
        if (_disposeHttp)
        {
            _http.Dispose();
        }
    }

    private static HttpClient CreateHttpClient(NimbusClientOptions options, HttpMessageHandler handler, bool disposeHandler)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handler);
        // No client-wide timeout: RequestSender limits each attempt to options.Timeout, and uploads by their progress.
        return new HttpClient(handler, disposeHandler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
    }
}
