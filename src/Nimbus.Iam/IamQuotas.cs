using Nimbus.Core.Quotas;

namespace Nimbus.Iam;

/// <summary>The quotas IAM enforces.</summary>
public static class IamQuotas
{
    /// <summary>Users per account (enforced by user creation).</summary>
    public static readonly QuotaDefinition Users = new()
    {
        Code = "iam.users",
        Description = "Users per account",
        DefaultLimit = 100,
        Unit = "users",
    };

    /// <summary>Active access keys per user: deactivating or deleting a key frees its place.</summary>
    public static readonly QuotaDefinition AccessKeysPerUser = new()
    {
        Code = "iam.access-keys-per-user",
        Description = "Active access keys of each user",
        DefaultLimit = 2,
        Unit = "access keys",
        Scope = QuotaScope.User,
    };
}
