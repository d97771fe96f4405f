using Nimbus.Contracts.Signing;
using Nimbus.Sdk;
using Nimbus.Testing;

namespace Nimbus.Cli.Tests.EndToEnd.Support;

/// <summary>SDK clients talking to a real server over real sockets.</summary>
internal static class Clients
{
    /// <summary>Short poll interval: a local controller reconciles a widget in milliseconds.</summary>
    public static NimbusClientOptions Options(NimbusServer server, SigV4Credentials? credentials = null) => new()
    {
        Endpoint = server.Endpoint,
        Credentials = credentials ?? server.AdminCredentials,
        Region = server.Host.Options.Region,
        WaitPollInterval = TimeSpan.FromMilliseconds(50),
    };

    public static NimbusClient For(NimbusServer server, SigV4Credentials? credentials = null) => new(Options(server, credentials));

    /// <summary>A client whose HTTP exchanges pass through <paramref name="handler"/> (which must end in a real socket handler).</summary>
    public static NimbusClient For(NimbusServer server, DelegatingHandler handler, Func<NimbusClientOptions, NimbusClientOptions>? configure = null)
    {
        handler.InnerHandler ??= new SocketsHttpHandler();
        var options = Options(server);
        return new NimbusClient(configure?.Invoke(options) ?? options, handler);
    }
}
