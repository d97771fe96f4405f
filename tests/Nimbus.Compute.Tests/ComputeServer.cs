using Nimbus.Contracts.Resources;
using Nimbus.Sdk;
using Nimbus.Sdk.Compute;
using Nimbus.Server.Hosting;
using Nimbus.Testing;

namespace Nimbus.Compute.Tests;

/// <summary>A real server with a short stop grace period, an SDK client, and helpers to look at instances from the host.</summary>
internal sealed class ComputeServer : IAsyncDisposable
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    public const string RuncRoot = "/run/nimbus/runc";

    private ComputeServer(NimbusServer server)
    {
        Server = server;
        Client = new NimbusClient(new NimbusClientOptions
        {
            Endpoint = server.Endpoint,
            Credentials = server.AdminCredentials,
            Region = server.Host.Options.Region,
            WaitPollInterval = TimeSpan.FromMilliseconds(50),
        });
    }

    public NimbusServer Server { get; private set; }

    public NimbusClient Client { get; private set; }

    public string DataDirectory => Server.DataDirectory;

    public static async Task<ComputeServer> StartAsync(Func<NimbusServerOptions, NimbusServerOptions>? configure = null, string? dataDirectory = null, bool waitForImage = true)
    {
        var server = await NimbusServer.StartAsync(
            o => (configure ?? (x => x))(o with { ComputeStopGracePeriod = TimeSpan.FromSeconds(3), RuncRoot = RuncRoot }),
            dataDirectory);
        var compute = new ComputeServer(server);
        if (waitForImage)
        {
            await compute.WaitForBusyboxAsync();
        }

        return compute;
    }

    public async Task<ResourceDto> WaitForBusyboxAsync()
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var image = await Client.Compute.Images.GetAsync("busybox");
            if (image.Status.Phase == ImagesClient.AvailablePhase)
            {
                return image;
            }

            if (image.Status.Phase == "failed" || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"busybox image is {image.Status.Phase}: {image.Status.Message}");
            }

            await Task.Delay(50);
        }
    }

    public string InstanceDirectory(string id) => Path.Combine(DataDirectory, "compute", "instances", id);

    /// <summary>Stops the server, keeping its data directory and the running instances.</summary>
    public async Task<string> StopServerAsync()
    {
        Client.Dispose();
        await Server.StopAsync();
        return DataDirectory;
    }

    public async ValueTask DisposeAsync()
    {
        // Leave nothing running: terminate what the test left, then stop.
        try
        {
            await foreach (var instance in Client.Compute.Instances.ListAllAsync())
            {
                if (instance.Status.Phase != InstancesClient.TerminatedPhase)
                {
                    try
                    {
                        await Client.Compute.Instances.ModifyAsync(instance.Id, new Contracts.Compute.ModifyInstanceRequest { DeletionProtection = false });
                        await Client.Compute.Instances.TerminateAsync(instance.Id);
                        await Client.Compute.Instances.WaitForPhaseAsync(instance.Id, InstancesClient.TerminatedPhase, Wait);
                    }
                    catch (NimbusClientException)
                    {
                    }
                }
            }
        }
        catch (NimbusClientException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        Client.Dispose();
        await Server.DisposeAsync();
    }
}
