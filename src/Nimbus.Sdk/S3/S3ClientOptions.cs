using Nimbus.Contracts.Signing;

namespace Nimbus.Sdk.S3;

/// <summary>Settings of an <see cref="S3Client"/>. Immutable once the client is built.</summary>
public sealed record S3ClientOptions
{
    /// <summary>Port the server's S3 endpoint listens on by default: 9000.</summary>
    public const int DefaultPort = 9000;

    /// <summary>SigV4 service name of S3 requests: <c>s3</c>.</summary>
    public const string ServiceName = "s3";

    /// <summary>Smallest part of a multipart upload but the last one: 5 MiB (the S3 limit).</summary>
    public const long MinPartSize = 5L * 1024 * 1024;

    /// <summary>Most parts one multipart upload may have: 10,000 (the S3 limit).</summary>
    public const int MaxParts = 10_000;

    /// <summary>Optional. Base URI of the S3 endpoint (path-style addressing); default <c>http://127.0.0.1:9000</c>.</summary>
    public Uri Endpoint { get; init; } = new("http://127.0.0.1:9000");

    /// <summary>Required. Credentials every request is signed with.</summary>
    public SigV4Credentials? Credentials { get; init; }

    /// <summary>Optional. Region requests are signed for; default <c>local</c>.</summary>
    public string Region { get; init; } = NimbusClientOptions.DefaultRegion;

    /// <summary>Optional. How the body of a PUT or UploadPart is authenticated; default <see cref="S3PayloadSigning.Signed"/>.</summary>
    public S3PayloadSigning PayloadSigning { get; init; } = S3PayloadSigning.Signed;

    /// <summary>
    /// Optional. How many times a failed attempt is retried; default 3, 0 disables retries. Only connection failures and
    /// 500, 503 and 429 answers of requests that are safe to repeat (and whose body can be read again) are retried.
    /// </summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>Optional. Base of the exponential backoff between retries; default 200 milliseconds.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Optional. Time limit of one attempt up to the answer's headers (a whole upload, for a PUT); default 30 minutes.
    /// Applies only to HTTP clients the SDK creates. Reading a downloaded body is bounded by the caller's token only.
    /// </summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Optional. Files at least this large are uploaded in parts by <see cref="S3Client.UploadFileAsync"/>; default 16 MiB.</summary>
    public long MultipartThreshold { get; init; } = 16L * 1024 * 1024;

    /// <summary>Optional. Size of each part of a multipart upload (raised when a file would need more than 10,000); default 8 MiB, at least 5 MiB.</summary>
    public long PartSize { get; init; } = 8L * 1024 * 1024;

    /// <summary>Optional. Parts of one file uploaded at the same time; default 4.</summary>
    public int TransferConcurrency { get; init; } = 4;

    /// <summary>Optional. Clock used for signing and backoff; default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Optional. <c>User-Agent</c> header value; default <c>nimbus-sdk-dotnet/&lt;version&gt;</c>.</summary>
    public string? UserAgent { get; init; }
}
