namespace Nimbus.Sdk.Compute;

/// <summary>The compute service (<c>/v1/compute</c>): instance types, images and instances.</summary>
public sealed class ComputeClient
{
    private readonly NimbusClient _client;

    internal ComputeClient(NimbusClient client)
    {
        _client = client;
        InstanceTypes = new InstanceTypesClient(client);
        Images = new ImagesClient(client);
        Instances = new InstancesClient(client);
    }

    /// <summary>The instance type catalog.</summary>
    public InstanceTypesClient InstanceTypes { get; }

    /// <summary>Images instances start from.</summary>
    public ImagesClient Images { get; }

    /// <summary>Instances: run, stop, start, reboot, terminate, modify, console.</summary>
    public InstancesClient Instances { get; }

    /// <summary>The node's last garbage check: containers, mounts, cgroups and directories no instance or image owns (platform administrators).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The report; <c>At</c> is null before the first check.</returns>
    public Task<Contracts.Compute.GarbageReportDto> GetGarbageReportAsync(CancellationToken cancellationToken = default) =>
        _client.SendAsync<Contracts.Compute.GarbageReportDto>(HttpMethod.Get, "/v1/compute/garbage", cancellationToken: cancellationToken);

    /// <summary>Runs a garbage check of the node now and returns its report (platform administrators). It reports; it deletes nothing.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new report.</returns>
    public Task<Contracts.Compute.GarbageReportDto> RunGarbageCheckAsync(CancellationToken cancellationToken = default) =>
        _client.SendAsync<Contracts.Compute.GarbageReportDto>(HttpMethod.Post, "/v1/compute/garbage/run", cancellationToken: cancellationToken);
}
