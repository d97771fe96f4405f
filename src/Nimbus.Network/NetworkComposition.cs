using Microsoft.Extensions.DependencyInjection;
using Nimbus.Network.Subnets;
using Nimbus.Network.Vpcs;

namespace Nimbus.Network;

/// <summary>Registers the network service: VPCs, subnets and their quota.</summary>
public static class NetworkComposition
{
    public static IServiceCollection AddNimbusNetwork(this IServiceCollection services, NetworkOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton(NetworkQuotas.Vpcs);
        services.AddSingleton<VpcService>();
        services.AddSingleton<SubnetService>();
        services.AddSingleton<RouteTables.RouteTableService>();
        services.AddSingleton<Peerings.PeeringService>();
        services.AddSingleton<NetworkChanges>();
        return services;
    }
}
