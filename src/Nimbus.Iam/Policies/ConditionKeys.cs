namespace Nimbus.Iam.Policies;

/// <summary>The global condition keys Nimbus puts in a request context. Keys are case-insensitive; tag keys after the '/' are not.</summary>
public static class ConditionKeys
{
    public const string SourceIp = "nimbus:SourceIp";
    public const string CurrentTime = "nimbus:CurrentTime";
    public const string EpochTime = "nimbus:EpochTime";
    public const string SecureTransport = "nimbus:SecureTransport";
    public const string MultiFactorAuthPresent = "nimbus:MultiFactorAuthPresent";
    public const string PrincipalTagPrefix = "nimbus:PrincipalTag/";
    public const string ResourceTagPrefix = "nimbus:ResourceTag/";
    public const string RequestTagPrefix = "nimbus:RequestTag/";
    public const string TagKeys = "nimbus:TagKeys";
    public const string PrincipalAccount = "nimbus:PrincipalAccount";
    public const string PrincipalNrn = "nimbus:PrincipalNrn";

    /// <summary>Alias of <see cref="PrincipalNrn"/> for policies written with AWS habits.</summary>
    public const string PrincipalArn = "nimbus:PrincipalArn";
    public const string UserName = "nimbus:username";
    public const string UserId = "nimbus:userid";

    /// <summary>
    /// The lookup form of a key: the part before the first '/' lower-cased (AWS key names are
    /// case-insensitive), the tag key after it kept as written; <c>aws:</c> reads as <c>nimbus:</c>
    /// and PrincipalArn as PrincipalNrn.
    /// </summary>
    public static string Normalize(string key)
    {
        var slash = key.IndexOf('/');
        var name = (slash < 0 ? key : key[..slash]).ToLowerInvariant();
        if (name.StartsWith("aws:", StringComparison.Ordinal))
        {
            name = "nimbus:" + name["aws:".Length..];
        }

        if (name == "nimbus:principalarn")
        {
            name = "nimbus:principalnrn";
        }

        return slash < 0 ? name : name + key[slash..];
    }
}
