namespace Nimbus.Sdk.Network;

/// <summary>The networking service (<c>/v1/network</c>).</summary>
public sealed class NetworkClient
{
    internal NetworkClient(NimbusClient client) => SecurityGroups = new SecurityGroupsClient(client);

    /// <summary>Security groups and their rules.</summary>
    public SecurityGroupsClient SecurityGroups { get; }
}
