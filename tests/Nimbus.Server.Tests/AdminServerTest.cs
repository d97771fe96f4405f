using Nimbus.Testing;
using Xunit;

namespace Nimbus.Server.Tests;

/// <summary>
/// A real server on a free loopback port with a temporary data directory, and an HTTP client signed with
/// its administrator key: what most integration tests start from.
/// </summary>
public abstract class AdminServerTest : IAsyncLifetime
{
    private NimbusServer? _server;
    private HttpClient? _admin;

    protected NimbusServer Server => _server ?? throw new InvalidOperationException("The server is not started.");

    protected HttpClient Admin => _admin ?? throw new InvalidOperationException("The server is not started.");

    public virtual async Task InitializeAsync()
    {
        _server = await NimbusServer.StartAsync();
        _admin = _server.SignedHttpClient();
    }

    public virtual async Task DisposeAsync()
    {
        _admin?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
