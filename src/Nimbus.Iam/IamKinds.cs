namespace Nimbus.Iam;

/// <summary>Kinds and id prefixes of the IAM service. IAM is global: its NRNs carry no region.</summary>
public static class IamKinds
{
    public const string Account = "iam/account";
    public const string User = "iam/user";
    public const string AccessKey = "iam/access-key";
    public const string Group = "iam/group";
    public const string GroupIdPrefix = "grp";
    public const string Policy = "iam/policy";
    public const string Role = "iam/role";
    public const string RoleIdPrefix = "rol";
    public const string PolicyIdPrefix = "pol";
    public const string GlobalRegion = "";
    public const string UserIdPrefix = "usr";
}
