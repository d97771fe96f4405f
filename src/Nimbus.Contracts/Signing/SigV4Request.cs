using System.Net.Http.Headers;

namespace Nimbus.Contracts.Signing;

/// <summary>The parts of a received HTTP request that <see cref="SigV4Verifier"/> checks.</summary>
public sealed class SigV4Request
{
    /// <summary>HTTP method as received, e.g. <c>GET</c>; required.</summary>
    public required string Method { get; init; }

    /// <summary>Request path exactly as received, still percent-encoded (not decoded by the server); required.</summary>
    public required string RawPath { get; init; }

    /// <summary>Query string exactly as received, without the leading <c>?</c>; empty when there is none.</summary>
    public string RawQuery { get; init; } = "";

    /// <summary>Request headers; required. Must include <c>Host</c> (for HTTP/2, the <c>:authority</c>).</summary>
    public required ISigV4HeaderSource Headers { get; init; }

    /// <summary>
    /// Lowercase hex SHA-256 of the body as the server computed it, or null when the server did not
    /// buffer the body (the client's <c>x-amz-content-sha256</c> is then trusted and reported in
    /// <see cref="SigV4Result.ContentSha256"/> for the server to check while streaming).
    /// </summary>
    public string? PayloadHash { get; init; }

    /// <summary>
    /// Describes an <see cref="HttpRequestMessage"/> as a server would receive it: several values of one
    /// header become one comma-joined line, as HttpClient sends them.
    /// </summary>
    /// <param name="request">Request with an absolute URI; required.</param>
    /// <param name="payloadHash">Hash of the body as the server would compute it, or null.</param>
    public static SigV4Request FromHttpRequestMessage(HttpRequestMessage request, string? payloadHash)
    {
        ArgumentNullException.ThrowIfNull(request);
        Uri uri = request.RequestUri is { IsAbsoluteUri: true } absolute
            ? absolute
            : throw new ArgumentException("The request needs an absolute RequestUri.", nameof(request));
        var headers = new SigV4HeaderCollection { { "Host", request.Headers.Host ?? SigV4Signer.HostHeader(uri) } };
        foreach (KeyValuePair<string, HeaderStringValues> header in request.Headers.NonValidated)
        {
            if (!header.Key.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                headers.Add(header.Key, header.Value.ToString());
            }
        }

        if (request.Content is not null)
        {
            foreach (KeyValuePair<string, HeaderStringValues> header in request.Content.Headers.NonValidated)
            {
                headers.Add(header.Key, header.Value.ToString());
            }
        }

        return new SigV4Request
        {
            Method = request.Method.Method,
            RawPath = uri.AbsolutePath,
            RawQuery = uri.Query.StartsWith('?') ? uri.Query[1..] : uri.Query,
            Headers = headers,
            PayloadHash = payloadHash,
        };
    }
}
