using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Nimbus.Sdk.Json;

namespace Nimbus.Sdk;

/// <summary>A successful (2xx) answer of the Nimbus API, body fully read.</summary>
public sealed class NimbusResponse
{
    internal NimbusResponse(HttpStatusCode statusCode, HttpResponseHeaders headers, string? contentType, byte[] body)
    {
        StatusCode = statusCode;
        Headers = headers;
        ContentType = contentType;
        Body = body;
    }

    /// <summary>HTTP status code, e.g. 200, 201, 202 or 204.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>Response headers (content headers excluded, see <see cref="ContentType"/>).</summary>
    public HttpResponseHeaders Headers { get; }

    /// <summary>Media type of the body, e.g. <c>application/json</c>; null when there is no body.</summary>
    public string? ContentType { get; }

    /// <summary>Raw body bytes; empty for 202/204 answers without a body.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>Value of the <c>X-Request-Id</c> header; null if the server sent none.</summary>
    public string? RequestId => Headers.TryGetValues("X-Request-Id", out var values) ? values.FirstOrDefault() : null;

    /// <summary>The <c>Location</c> header (set on 201 Created); null when absent.</summary>
    public Uri? Location => Headers.Location;

    /// <summary>Deserializes the JSON body with <see cref="NimbusJson.Options"/>.</summary>
    /// <typeparam name="T">Type of the body.</typeparam>
    /// <returns>The body as <typeparamref name="T"/>.</returns>
    /// <exception cref="JsonException">The body is empty or is not JSON of that shape.</exception>
    public T ReadJson<T>()
    {
        if (Body.IsEmpty)
        {
            throw new JsonException($"The server answered {(int)StatusCode} without a body where a {typeof(T).Name} was expected.");
        }

        return JsonSerializer.Deserialize<T>(Body.Span, NimbusJson.Options)
            ?? throw new JsonException($"The server answered {(int)StatusCode} with a null body where a {typeof(T).Name} was expected.");
    }
}
