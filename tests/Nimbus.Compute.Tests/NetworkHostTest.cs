using Xunit;

namespace Nimbus.Compute.Tests;

/// <summary>
/// A test class that needs the network host (root, bridges, nftables, runc): it fails loudly without them, and starts
/// one server of its own for its tests, stopped with its network when the class is done. A test may replace
/// <see cref="Server"/> (a restart on the same data directory); the last one is disposed. A test of the CLI runs it
/// with <see cref="Home"/> as its home directory (made on first use, removed with the class).
/// </summary>
public abstract class NetworkHostTest : IAsyncLifetime
{
    private TempDirectory? _home;

    private protected ComputeServer Server { get; set; } = null!;

    private protected TempDirectory Home => _home ??= new TempDirectory("nimbus-cli-home");

    public async Task InitializeAsync()
    {
        Prerequisites.RequireNetworkHost();
        Server = await ComputeServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        _home?.Dispose();
    }
}
