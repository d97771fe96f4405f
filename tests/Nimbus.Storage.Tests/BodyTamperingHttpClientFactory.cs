using Amazon.Runtime;

namespace Nimbus.Storage.Tests;

/// <summary>
/// Flips the first byte of every PUT body after the SDK has signed it, as a faulty proxy would; the headers, the
/// signature and the length stay as signed.
/// </summary>
public sealed class BodyTamperingHttpClientFactory : HttpClientFactory
{
    public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(new FlipFirstByte { InnerHandler = new SocketsHttpHandler() });

    private sealed class FlipFirstByte : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Put && request.Content is { } content)
            {
                var bytes = await content.ReadAsByteArrayAsync(cancellationToken);
                bytes[0] ^= 0x01;
                var tampered = new ByteArrayContent(bytes);
                foreach (var header in content.Headers)
                {
                    tampered.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }

                request.Content = tampered;
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}
