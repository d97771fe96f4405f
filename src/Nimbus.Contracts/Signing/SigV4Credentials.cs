namespace Nimbus.Contracts.Signing;

/// <summary>Credentials a request is signed with.</summary>
/// <param name="AccessKeyId">Access key id.</param>
/// <param name="SecretAccessKey">Secret access key.</param>
/// <param name="SessionToken">Session token for temporary credentials; optional.</param>
public sealed record SigV4Credentials(string AccessKeyId, string SecretAccessKey, string? SessionToken = null)
{
    /// <inheritdoc />
    public override string ToString() => $"SigV4Credentials {{ AccessKeyId = {AccessKeyId} }}";
}
