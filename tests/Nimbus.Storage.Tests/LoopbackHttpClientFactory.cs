using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;

namespace Nimbus.Storage.Tests;

/// <summary>
/// Connects every request to 127.0.0.1 whatever its host name, so that virtual-host style names
/// (<c>bucket.s3.localhost</c>) reach the test server without a resolver that knows them. The Host header,
/// which the server addresses the bucket by and which is signed, is left as the client wrote it.
/// </summary>
public sealed class LoopbackHttpClientFactory : HttpClientFactory
{
    public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    });
}
