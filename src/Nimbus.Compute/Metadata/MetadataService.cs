using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nimbus.Compute.Networking;
using Nimbus.Compute.Node;
using Nimbus.Network.Addressing;

namespace Nimbus.Compute.Metadata;

/// <summary>
/// Starts the default network (bridge, ruleset) and the instance metadata service: a small Kestrel listener of its
/// own on the gateway address (the bridge side only, never the API's listener), which nftables reaches from
/// 169.254.169.254:80 on the bridge. Binding the link-local address itself would need it on a host interface and a
/// route per bridge; the DNAT keeps the host's addressing untouched. A node without iproute2 or nftables keeps the
/// rest of Nimbus running: the error is logged and instances that need a network fail with it.
/// </summary>
public sealed partial class MetadataService(DefaultNetwork network, MetadataHandler handler, ComputeOptions options, ILogger<MetadataService> logger) : IHostedService, IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile WebApplication? _app;

    /// <summary>At start-up: when instances hold addresses (they may be running, adopted as they are), the network and the listener come up at once.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!await network.HasAllocationsAsync(cancellationToken).ConfigureAwait(false))
        {
            // Nothing uses the network yet: the bridge is made when the first instance starts.
            return;
        }

        try
        {
            await EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NodeException ex)
        {
            LogNetworkUnavailable(ex.Message);
        }
    }

    /// <summary>Sets up the default network and starts the listener unless it runs; throws <see cref="NodeException"/> naming what is missing.</summary>
    public async Task<NetworkState> EnsureStartedAsync(CancellationToken cancellationToken)
    {
        var state = await network.EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        if (_app is not null)
        {
            return state;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_app is null)
            {
                await ListenAsync(state, cancellationToken).ConfigureAwait(false);
            }

            return state;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task ListenAsync(NetworkState state, CancellationToken cancellationToken)
    {
        var range = Ipv4Range.TryParse(state.Cidr, out _)!;
        var gateway = IPAddress.Parse(Ipv4Range.Format(range.Gateway));
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "Nimbus.Metadata", ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 4096;
            kestrel.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            kestrel.Listen(gateway, options.MetadataPort);
        });
        var app = builder.Build();
        app.Run(handler.HandleAsync);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new NodeException($"the instance metadata service could not listen on {gateway}:{options.MetadataPort}: {ex.Message}", ex);
        }

        _app = app;
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        network.MetadataPort = new Uri(bound).Port;
        await network.ApplyRulesAsync(cancellationToken).ConfigureAwait(false);
        LogListening(gateway.ToString(), network.MetadataPort.Value, state.Bridge);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is { } app)
        {
            await app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 5401, Level = LogLevel.Information, Message = "Instance metadata service on {Address}:{Port}, reached from 169.254.169.254:80 on bridge {Bridge}")]
    private partial void LogListening(string address, int port, string bridge);

    [LoggerMessage(EventId = 5402, Level = LogLevel.Error, Message = "The default network could not be set up; instances cannot start until it is: {Reason}")]
    private partial void LogNetworkUnavailable(string reason);
}
