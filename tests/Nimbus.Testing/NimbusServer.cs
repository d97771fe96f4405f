using System.Text.Json;
using Nimbus.Contracts.Signing;
using Nimbus.Core.Api;
using Nimbus.Iam.Accounts;
using Nimbus.Server.Hosting;

namespace Nimbus.Testing;

/// <summary>
/// A real Nimbus control plane for a test: Kestrel on 127.0.0.1 with a free port, SQLite in
/// its own temporary data directory, bootstrapped admin credentials. Dispose stops it and
/// removes the directory.
/// </summary>
public sealed class NimbusServer : IAsyncDisposable
{
    private readonly TempDirectory? _ownedDirectory;

    private NimbusServer(NimbusHost host, TempDirectory? ownedDirectory, BootstrapCredentials admin)
    {
        Host = host;
        _ownedDirectory = ownedDirectory;
        Admin = admin;
    }

    public NimbusHost Host { get; }

    public BootstrapCredentials Admin { get; }

    public Uri Endpoint => Host.Endpoint;

    /// <summary>The S3 protocol endpoint (object storage).</summary>
    public Uri S3Endpoint => Host.S3Endpoint;

    public string DataDirectory => Host.Options.DataDirectory;

    public SigV4Credentials AdminCredentials => new(Admin.AccessKeyId, Admin.SecretAccessKey);

    /// <summary>Starts a server; <paramref name="dataDirectory"/> lets a test restart on the same data.</summary>
    public static async Task<NimbusServer> StartAsync(Func<NimbusServerOptions, NimbusServerOptions>? configure = null, string? dataDirectory = null, TimeProvider? time = null)
    {
        var owned = dataDirectory is null ? new TempDirectory("nimbus-server") : null;
        var options = new NimbusServerOptions
        {
            DataDirectory = dataDirectory ?? owned!.Path,
            ApiPort = 0,
            S3Port = 0,
            Listen = "127.0.0.1",
            LogLevel = "Warning",
            ShutdownTimeout = TimeSpan.FromSeconds(5),
        };
        options = configure?.Invoke(options) ?? options;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var host = await NimbusHost.StartAsync(options, timeout.Token, time: time).ConfigureAwait(false);
        var admin = JsonSerializer.Deserialize<BootstrapCredentials>(await File.ReadAllBytesAsync(host.CredentialsPath).ConfigureAwait(false), NimbusJson.Options)!;
        return new NimbusServer(host, owned, admin);
    }

    /// <summary>An HttpClient whose requests are signed with <paramref name="credentials"/> (admin by default).</summary>
    public HttpClient SignedHttpClient(SigV4Credentials? credentials = null, Func<DateTimeOffset>? clock = null) =>
        new(new SigningHandler(credentials ?? AdminCredentials, Host.Options.Region, "nimbus", clock)) { BaseAddress = Endpoint };

    /// <summary>An HttpClient that signs nothing.</summary>
    public HttpClient AnonymousHttpClient() => new() { BaseAddress = Endpoint };

    /// <summary>Stops the server but keeps its data directory (for restart tests).</summary>
    public async Task StopAsync() => await Host.DisposeAsync().ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync().ConfigureAwait(false);
        _ownedDirectory?.Dispose();
    }
}
