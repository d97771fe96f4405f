using Nimbus.Contracts.Signing;

namespace Nimbus.Sdk;

/// <summary>Settings of a <see cref="NimbusClient"/>. Immutable once the client is built.</summary>
public sealed record NimbusClientOptions
{
    /// <summary>Endpoint used when none is configured: <c>http://127.0.0.1:7070</c>.</summary>
    public const string DefaultEndpoint = "http://127.0.0.1:7070";

    /// <summary>Region used when none is configured: <c>local</c>.</summary>
    public const string DefaultRegion = "local";

    /// <summary>SigV4 service name every Nimbus REST request is signed for: <c>nimbus</c>.</summary>
    public const string ServiceName = "nimbus";

    /// <summary>Default of <see cref="UploadIdleTimeout"/>: 5 minutes.</summary>
    public static readonly TimeSpan DefaultUploadIdleTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Optional. Base URI of the Nimbus API; default <see cref="DefaultEndpoint"/>. A path, if any, prefixes every route.</summary>
    public Uri Endpoint { get; init; } = new(DefaultEndpoint);

    /// <summary>Required. Credentials every request is signed with (see <see cref="Configuration.CredentialChain"/>).</summary>
    public SigV4Credentials? Credentials { get; init; }

    /// <summary>Optional. Region requests are signed for; default <see cref="DefaultRegion"/>.</summary>
    public string Region { get; init; } = DefaultRegion;

    /// <summary>
    /// Optional. How many times a failed attempt is retried (so at most <c>MaxRetries + 1</c> attempts); default 3, 0 disables retries.
    /// Only 429, 503 and connection failures of idempotent requests are retried.
    /// </summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>
    /// Optional. Time limit of one HTTP attempt; default 30 seconds. Applies only to HTTP clients the SDK creates, and
    /// not to file uploads (image imports), which have <see cref="UploadIdleTimeout"/> instead.
    /// </summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Optional. A file upload (an image import from a file) fails when no byte of it was sent, or no answer came after
    /// the last one, for this long; default 5 minutes. There is no limit on the whole upload, so a large image over a
    /// slow link succeeds as long as it moves. An <see cref="HttpClient"/> given to the client keeps its own
    /// <see cref="HttpClient.Timeout"/> as well.
    /// </summary>
    public TimeSpan UploadIdleTimeout { get; init; } = DefaultUploadIdleTimeout;

    /// <summary>Optional. Base of the exponential backoff between retries; default 200 milliseconds.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Optional. Upper bound of one backoff delay (not of a server's <c>Retry-After</c>); default 20 seconds.</summary>
    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Optional. Interval between two reads while waiting for a resource's phase; default 500 milliseconds.</summary>
    public TimeSpan WaitPollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Optional. Clock used for signing, backoff and waits; default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Optional. <c>User-Agent</c> header value; default <c>nimbus-sdk-dotnet/&lt;version&gt;</c>.</summary>
    public string? UserAgent { get; init; }
}
