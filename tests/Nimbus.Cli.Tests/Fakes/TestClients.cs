using Nimbus.Contracts.Signing;
using Nimbus.Sdk;

namespace Nimbus.Cli.Tests.Fakes;

public static class TestClients
{
    public static readonly DateTimeOffset Start = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    public static readonly SigV4Credentials Credentials = new("NKIATESTKEY00001", "test-secret-key");

    public static (NimbusClient Client, CannedHandler Handler, SteppingTimeProvider Time) Create(Func<NimbusClientOptions, NimbusClientOptions>? configure = null)
    {
        var handler = new CannedHandler();
        var time = new SteppingTimeProvider(Start);
        var options = new NimbusClientOptions
        {
            Endpoint = new Uri("http://nimbus.test:7070"),
            Credentials = Credentials,
            TimeProvider = time,
        };
        options = configure?.Invoke(options) ?? options;
        return (new NimbusClient(options, handler), handler, time);
    }
}
