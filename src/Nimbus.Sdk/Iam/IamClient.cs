namespace Nimbus.Sdk.Iam;

/// <summary>Identity and access management operations (<c>/v1/iam</c>).</summary>
public sealed class IamClient
{
    internal IamClient(NimbusClient client)
    {
        AccessKeys = new AccessKeysClient(client);
        Users = new UsersClient(client);
        Groups = new GroupsClient(client);
        Accounts = new AccountsClient(client);
        Roles = new RolesClient(client);
        Policies = new PoliciesClient(client);
    }

    /// <summary>Roles of the caller's account.</summary>
    public RolesClient Roles { get; }

    /// <summary>Users of the caller's account.</summary>
    public UsersClient Users { get; }

    /// <summary>Groups of the caller's account.</summary>
    public GroupsClient Groups { get; }

    /// <summary>Managed policies of the caller's account, the built-in policies and the policy simulator.</summary>
    public PoliciesClient Policies { get; }

    /// <summary>Accounts (tenants).</summary>
    public AccountsClient Accounts { get; }

    /// <summary>Access keys of users.</summary>
    public AccessKeysClient AccessKeys { get; }
}
