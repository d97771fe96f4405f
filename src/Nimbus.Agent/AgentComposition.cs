using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nimbus.Agent.Runc;
using Nimbus.Compute;
using Nimbus.Compute.Node;

namespace Nimbus.Agent;

/// <summary>Registers this machine as the compute node, in process (the runc node and its iproute2/nftables networking).</summary>
public static class AgentComposition
{
    public static IServiceCollection AddRuncNode(this IServiceCollection services) =>
        services.AddSingleton<IComputeNode>(sp => new RuncNode(sp.GetRequiredService<ComputeOptions>(), sp.GetRequiredService<ILogger<RuncNode>>()))
            .AddSingleton<INetworkNode, Network.LinuxNetworkNode>();
}
