namespace Nimbus.Sdk.Iam;

/// <summary>Identity and access management operations (<c>/v1/iam</c>).</summary>
public sealed class IamClient
{
    internal IamClient(NimbusClient client)
    {
        AccessKeys = new AccessKeysClient(client);
    }

    /// <summary>Access keys of users.</summary>
    public AccessKeysClient AccessKeys { get; }
}
