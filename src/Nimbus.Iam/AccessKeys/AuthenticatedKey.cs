namespace Nimbus.Iam.AccessKeys;

/// <summary>What authentication needs to know of an access key: kept in memory, never logged.</summary>
public sealed record AuthenticatedKey(string AccessKeyId, string Secret, string Account, string Principal, string UserName, bool Active)
{
    public override string ToString() => $"AuthenticatedKey {{ AccessKeyId = {AccessKeyId}, Account = {Account} }}";
}
