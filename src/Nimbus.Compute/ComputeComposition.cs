using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Nimbus.Compute.Garbage;
using Nimbus.Compute.Images;
using Nimbus.Compute.Instances;
using Nimbus.Compute.InstanceTypes;
using Nimbus.Compute.Metadata;
using Nimbus.Compute.Networking;
using Nimbus.Compute.Networking.SecurityGroups;
using Nimbus.Compute.Scheduling;
using Nimbus.Core.Controllers;

namespace Nimbus.Compute;

/// <summary>Registers the compute service: catalog, images, instances, scheduler, quotas and controllers. The node comes from <c>Nimbus.Agent</c>.</summary>
public static class ComputeComposition
{
    public static IServiceCollection AddNimbusCompute(this IServiceCollection services, ComputeOptions options)
    {
        Directory.CreateDirectory(options.Directory);
        services.AddSingleton(options);
        services.AddSingleton(InstanceTypeCatalog.Load(options.Directory));
        services.AddSingleton(ComputeQuotas.Instances);
        services.AddSingleton(ComputeQuotas.VCpus);
        services.AddSingleton(ComputeQuotas.MemoryMiB);
        services.AddSingleton(ComputeQuotas.Images);
        services.AddSingleton<InstanceScheduler>();
        services.AddSingleton<ImageService>();
        services.AddSingleton(SecurityGroupQuotas.Rules);
        services.AddSingleton<SecurityGroupFilter>();
        services.AddSingleton<SecurityGroupService>();
        services.AddSingleton(Networking.ElasticIps.ElasticIpQuotas.ElasticIps);
        services.AddSingleton<Networking.ElasticIps.ElasticIpService>();
        services.AddSingleton<Networking.NatGateways.NatGatewayService>();
        services.AddSingleton(sp =>
        {
            // Routes and peerings are the network service's; the ruleset they change is built here.
            var network = ActivatorUtilities.CreateInstance<DefaultNetwork>(sp);
            sp.GetService<Nimbus.Network.NetworkChanges>()?.Subscribe(ct => network.Current is null ? Task.CompletedTask : network.ApplyRulesAsync(ct));
            return network;
        });
        services.AddSingleton<Nimbus.Network.Vpcs.IVpcDependents>(sp => sp.GetRequiredService<SecurityGroupService>());
        services.AddSingleton<Networking.Interfaces.NetworkInterfaceService>();
        services.AddSingleton<MetadataTokens>();
        services.AddSingleton<InstanceProfileCredentials>();
        services.AddSingleton<MetadataHandler>();
        services.AddSingleton<MetadataService>();
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<MetadataService>());
        services.AddSingleton<InstanceService>();
        services.AddSingleton<Exec.ExecSlots>();
        services.AddSingleton<Exec.ExecService>();
        services.AddSingleton<IReconciler, ImageReconciler>();
        services.AddSingleton<IReconciler, InstanceReconciler>();
        services.AddSingleton<GarbageCheck>();
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<GarbageCheck>());
        return services;
    }
}
