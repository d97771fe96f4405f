namespace Nimbus.Sdk.Compute;

/// <summary>The compute service (<c>/v1/compute</c>): instance types, images and instances.</summary>
public sealed class ComputeClient
{
    internal ComputeClient(NimbusClient client)
    {
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
}
