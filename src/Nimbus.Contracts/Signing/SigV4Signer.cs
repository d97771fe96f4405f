using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Nimbus.Contracts.Signing;

/// <summary>
/// Signs HTTP requests with AWS Signature Version 4 (AWS4-HMAC-SHA256), in the Authorization header or
/// as a presigned URL. Compatible with AWS SDKs: the canonical URI is normalized and encoded twice for
/// every service except <c>s3</c>, which uses the path as is, encoded once (the AWS rule).
/// </summary>
public static class SigV4Signer
{
    /// <summary>Lowercase hex SHA-256 of an empty body.</summary>
    public const string EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /// <summary>Payload hash that leaves the body unsigned (S3 and presigned URLs).</summary>
    public const string UnsignedPayload = "UNSIGNED-PAYLOAD";

    /// <summary>The signing algorithm, as it appears in <c>Authorization</c> and <c>X-Amz-Algorithm</c>.</summary>
    public const string Algorithm = SigV4Algorithm.Name;

    /// <summary>Longest validity of a presigned URL: 7 days, in seconds (the AWS limit).</summary>
    public const int MaxPresignExpiresSeconds = 604800;

    /// <summary>
    /// Signs <paramref name="request"/> in place: sets <c>X-Amz-Date</c>, <c>X-Amz-Content-Sha256</c>
    /// (= <paramref name="payloadHash"/>), <c>X-Amz-Security-Token</c> when the credentials carry a session
    /// token, and <c>Authorization</c>, replacing earlier values (so a retried request can be signed again).
    /// Signs <c>host</c> (the <c>Host</c> header if set, else the URI's host, with the port when not the
    /// scheme's default), every <c>x-amz-*</c> header and <c>content-type</c> when present.
    /// </summary>
    /// <param name="request">Request with an absolute <see cref="HttpRequestMessage.RequestUri"/>; required.</param>
    /// <param name="credentials">Access key id, secret and optional session token; required.</param>
    /// <param name="region">Region of the credential scope, e.g. <c>local</c>; required.</param>
    /// <param name="service">Service of the credential scope, e.g. <c>nimbus</c> or <c>s3</c>; required.</param>
    /// <param name="now">Signing time; converted to UTC.</param>
    /// <param name="payloadHash">Lowercase hex SHA-256 of the body (<see cref="HashPayload"/>,
    /// <see cref="EmptyPayloadHash"/>) or <see cref="UnsignedPayload"/>; required.</param>
    public static void Sign(
        HttpRequestMessage request,
        SigV4Credentials credentials,
        string region,
        string service,
        DateTimeOffset now,
        string payloadHash) =>
        SignCore(request, credentials, region, service, now, payloadHash, out _);

    /// <summary>
    /// Signs <paramref name="request"/> for an aws-chunked body whose chunks are signed
    /// (<c>X-Amz-Content-Sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD</c>, or <c>...-PAYLOAD-TRAILER</c> when
    /// <paramref name="withTrailer"/>), exactly like <see cref="Sign"/>, and returns the context the chunk
    /// signatures chain from. Set <c>Content-Encoding: aws-chunked</c>, <c>X-Amz-Decoded-Content-Length</c>
    /// and (with a trailer) <c>X-Amz-Trailer</c> on the request before calling this, so they are signed;
    /// then send an <see cref="AwsChunkedEncodingStream"/> built with the returned context.
    /// </summary>
    /// <param name="request">Request with an absolute URI; required.</param>
    /// <param name="credentials">Access key id, secret and optional session token; required.</param>
    /// <param name="region">Region of the credential scope; required.</param>
    /// <param name="service">Service of the credential scope, normally <c>s3</c>; required.</param>
    /// <param name="now">Signing time; converted to UTC.</param>
    /// <param name="withTrailer">True when the body ends with signed trailing headers (a checksum).</param>
    public static SigV4ChunkSigningContext SignChunked(
        HttpRequestMessage request,
        SigV4Credentials credentials,
        string region,
        string service,
        DateTimeOffset now,
        bool withTrailer)
    {
        string payloadHash = withTrailer ? AwsChunkedPayload.SignedWithTrailer : AwsChunkedPayload.Signed;
        string signature = SignCore(request, credentials, region, service, now, payloadHash, out string amzDate);
        return SigV4ChunkSigningContext.Create(credentials.SecretAccessKey, amzDate, region, service, signature);
    }

    private static string SignCore(
        HttpRequestMessage request,
        SigV4Credentials credentials,
        string region,
        string service,
        DateTimeOffset now,
        string payloadHash,
        out string amzDate)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentException.ThrowIfNullOrEmpty(region);
        ArgumentException.ThrowIfNullOrEmpty(service);
        ArgumentException.ThrowIfNullOrEmpty(payloadHash);
        Uri uri = request.RequestUri is { IsAbsoluteUri: true } absolute
            ? absolute
            : throw new ArgumentException("The request needs an absolute RequestUri to be signed.", nameof(request));

        amzDate = FormatAmzDate(now);
        string scope = FormatScope(amzDate, region, service);

        request.Headers.Remove("X-Amz-Date");
        request.Headers.Remove("X-Amz-Content-Sha256");
        request.Headers.Remove("X-Amz-Security-Token");
        request.Headers.Remove("Authorization");
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        request.Headers.TryAddWithoutValidation("X-Amz-Content-Sha256", payloadHash);
        if (!string.IsNullOrEmpty(credentials.SessionToken))
        {
            request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", credentials.SessionToken);
        }

        // Values are taken as HttpClient writes them: several values of one header go out as one
        // line joined with ", ", and that line is what the server canonicalizes.
        var headers = new SigV4HeaderCollection();
        var names = new List<string>(8) { "host" };
        headers.Add("host", request.Headers.Host ?? HostHeader(uri));
        foreach (KeyValuePair<string, HeaderStringValues> header in request.Headers.NonValidated)
        {
            AddIfSigned(header.Key, header.Value, headers, names, allowContentType: false);
        }

        if (request.Content is not null)
        {
            foreach (KeyValuePair<string, HeaderStringValues> header in request.Content.Headers.NonValidated)
            {
                AddIfSigned(header.Key, header.Value, headers, names, allowContentType: true);
            }
        }

        names.Sort(StringComparer.Ordinal);
        string signedHeaders = string.Join(';', names);

        SigningKey signingKey = SigningKeyCache.Shared.GetSigningKey(credentials.SecretAccessKey, amzDate.AsSpan(0, 8), region, service);
        Span<byte> signature = stackalloc byte[SigV4Algorithm.HashSize];
        SigV4Algorithm.TryComputeSignature(
            request.Method.Method,
            uri.AbsolutePath,
            uri.Query,
            headers,
            signedHeaders,
            payloadHash,
            PathStyle(service),
            presigned: false,
            amzDate,
            scope,
            signingKey,
            signature,
            out _);

        string signatureHex = Convert.ToHexStringLower(signature);
        string authorization = string.Concat(
            [Algorithm, " Credential=", credentials.AccessKeyId, "/", scope, ", SignedHeaders=", signedHeaders, ", Signature=", signatureHex]);
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        return signatureHex;
    }

    /// <summary>
    /// Returns <paramref name="uri"/> presigned in its query string: <c>X-Amz-Algorithm</c>, <c>X-Amz-Credential</c>,
    /// <c>X-Amz-Date</c>, <c>X-Amz-Expires</c>, <c>X-Amz-SignedHeaders=host</c>, <c>X-Amz-Security-Token</c> when the
    /// credentials carry one, and <c>X-Amz-Signature</c>. The body is not signed (<see cref="UnsignedPayload"/>).
    /// Existing query parameters are kept and signed; a fragment is dropped.
    /// </summary>
    /// <param name="method">Method the URL will be used with; required.</param>
    /// <param name="uri">Absolute URI to presign; required.</param>
    /// <param name="credentials">Access key id, secret and optional session token; required.</param>
    /// <param name="region">Region of the credential scope; required.</param>
    /// <param name="service">Service of the credential scope; required.</param>
    /// <param name="now">Signing time; converted to UTC.</param>
    /// <param name="expires">Validity from <paramref name="now"/>, whole seconds, 1 s to 7 days.</param>
    public static Uri Presign(
        HttpMethod method,
        Uri uri,
        SigV4Credentials credentials,
        string region,
        string service,
        DateTimeOffset now,
        TimeSpan expires)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentException.ThrowIfNullOrEmpty(region);
        ArgumentException.ThrowIfNullOrEmpty(service);
        if (!uri.IsAbsoluteUri)
        {
            throw new ArgumentException("Only an absolute URI can be presigned.", nameof(uri));
        }

        long seconds = (long)Math.Floor(expires.TotalSeconds);
        if (seconds is < 1 or > MaxPresignExpiresSeconds)
        {
            throw new ArgumentOutOfRangeException(nameof(expires), expires, "A presigned URL is valid for 1 second to 7 days.");
        }

        string amzDate = FormatAmzDate(now);
        string scope = FormatScope(amzDate, region, service);
        var query = new StringBuilder(uri.Query.Length + 256);
        if (uri.Query.Length > 1)
        {
            query.Append(uri.Query, 1, uri.Query.Length - 1).Append('&');
        }

        query.Append("X-Amz-Algorithm=").Append(Algorithm)
            .Append("&X-Amz-Credential=").Append(Uri.EscapeDataString(credentials.AccessKeyId + "/" + scope))
            .Append("&X-Amz-Date=").Append(amzDate)
            .Append("&X-Amz-Expires=").Append(seconds.ToString(CultureInfo.InvariantCulture))
            .Append("&X-Amz-SignedHeaders=host");
        if (!string.IsNullOrEmpty(credentials.SessionToken))
        {
            query.Append("&X-Amz-Security-Token=").Append(Uri.EscapeDataString(credentials.SessionToken));
        }

        string unsignedQuery = query.ToString();
        var headers = new SigV4HeaderCollection { { "host", HostHeader(uri) } };
        SigningKey signingKey = SigningKeyCache.Shared.GetSigningKey(credentials.SecretAccessKey, amzDate.AsSpan(0, 8), region, service);
        Span<byte> signature = stackalloc byte[SigV4Algorithm.HashSize];
        SigV4Algorithm.TryComputeSignature(
            method.Method,
            uri.AbsolutePath,
            unsignedQuery,
            headers,
            "host",
            UnsignedPayload,
            PathStyle(service),
            presigned: true,
            amzDate,
            scope,
            signingKey,
            signature,
            out _);

        return new Uri(string.Concat(
            [uri.GetLeftPart(UriPartial.Path), "?", unsignedQuery, "&X-Amz-Signature=", Convert.ToHexStringLower(signature)]));
    }

    /// <summary>Returns the lowercase hex SHA-256 of <paramref name="payload"/>, for <c>X-Amz-Content-Sha256</c>.</summary>
    /// <param name="payload">The exact body bytes sent.</param>
    public static string HashPayload(ReadOnlySpan<byte> payload)
    {
        Span<byte> hash = stackalloc byte[SigV4Algorithm.HashSize];
        SHA256.HashData(payload, hash);
        return Convert.ToHexStringLower(hash);
    }

    internal static SigV4PathStyle PathStyle(string service) =>
        string.Equals(service, "s3", StringComparison.Ordinal) ? SigV4PathStyle.S3 : SigV4PathStyle.NormalizedDoubleEncoded;

    internal static string FormatAmzDate(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    internal static string FormatScope(string amzDate, string region, string service) =>
        string.Concat(amzDate.AsSpan(0, 8), "/", region, "/" + service + "/" + SigV4Algorithm.Terminator);

    /// <summary>The Host header HttpClient sends for <paramref name="uri"/>: IDN host, port when not the default.</summary>
    internal static string HostHeader(Uri uri)
    {
        string host = uri.HostNameType == UriHostNameType.IPv6 ? "[" + uri.IdnHost.Trim('[', ']') + "]" : uri.IdnHost;
        return uri.IsDefaultPort ? host : host + ":" + uri.Port.ToString(CultureInfo.InvariantCulture);
    }

    private static void AddIfSigned(string name, HeaderStringValues values, SigV4HeaderCollection headers, List<string> names, bool allowContentType)
    {
        bool signed = name.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase)
            || (allowContentType && name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase));
        if (!signed)
        {
            return;
        }

        string lower = name.ToLowerInvariant();
        if (headers.GetValues(lower).Count == 0)
        {
            names.Add(lower);
        }

        headers.Add(lower, values.ToString());
    }
}
